import CDNNL
import Compute

/// The executor being built: the ops compiled so far, in order, and the value of every node
/// output they produce. The executor maps the variables; each operator's definition adds
/// its ops through a `CompileStep`.
final class GraphCompilation {
    let symbol: Symbol
    let shapes: InferredShapes
    let training: Bool
    /// The type convolutions run in: f32, or bf16 for mixed precision.
    let convolutionType: dnnl_data_type_t
    /// Training: gradient buffers and scratch shared by lifetime.
    let arena: Arena?
    /// Samples per batch: the rows every label tensor must have.
    let batch: Int
    /// The weights, read by name when an inference executor folds a node's parameters into
    /// another's (a BatchNorm into the convolution before it) before their variables are mapped.
    let parameters: ParameterStore
    /// Int8 (inference): convolutions with an entry here compile as `QuantizedConvolutionOp`.
    var quantization: QuantizationTable?
    /// Inference: how float32 convolutions are computed (Winograd where it suits, or direct).
    var convolutionAlgorithm = ConvolutionAlgorithm.automatic
    /// Every node's output stays readable after a forward pass: no residual sum writes over
    /// its other operand (int8 calibration reads the inputs of every convolution).
    var preservesValues = false

    private(set) var ops: [Op] = []
    /// For each op, the kind and work of the node it computes (`--profile`).
    private(set) var work: [OpWork] = []
    var values: [NodeEntry: Value] = [:]
    private(set) var lossOps: [LossOutputOp] = []
    /// Nodes compiled into an earlier node's op (a ReLU fused into its BatchNorm).
    private(set) var fused: Set<Int> = []
    private let consumers: [NodeEntry: [Int]]
    private let heads: Set<NodeEntry>

    init(symbol: Symbol, shapes: InferredShapes, training: Bool, convolutionType: dnnl_data_type_t, arena: Arena?, batch: Int,
         parameters: ParameterStore) {
        self.symbol = symbol
        self.parameters = parameters
        self.shapes = shapes
        self.training = training
        self.convolutionType = convolutionType
        self.arena = arena
        self.batch = batch
        var consumers: [NodeEntry: [Int]] = [:]
        for (i, node) in symbol.nodes.enumerated() {
            for input in node.inputs { consumers[NodeEntry(node: input.node, output: input.output), default: []].append(i) }
        }
        self.consumers = consumers
        heads = Set(symbol.heads.map { NodeEntry(node: $0.node, output: $0.output) })
    }

    /// Compiles operator node `index` by its definition.
    func compileOperator(_ index: Int) throws {
        let node = symbol.nodes[index]
        guard let definition = OperatorRegistry.definition(of: node.op) else {
            throw GraphError.unknownOp(node: node.name, op: node.op)
        }
        try definition.compile(CompileStep(node: node, index: index, compilation: self))
    }

    fileprivate func append(_ op: Op, computing index: Int, intermediate: Bool = false) {
        ops.append(op)
        let node = symbol.nodes[index]
        // An intermediate step (a flatten before a product) has the node's kind, not its work.
        work.append(intermediate ? OpWork(kind: node.op, forwardFlops: 0) : OpWork(node: node, index: index, shapes: shapes, symbol: symbol))
    }
    fileprivate func appendLoss(_ op: LossOutputOp) { lossOps.append(op) }

    /// The one consumer of node `index`'s output 0, when it has exactly one and is not a
    /// head (whose value must stay visible).
    func soleConsumer(of index: Int) -> Int? {
        let entry = NodeEntry(node: index, output: 0)
        guard !heads.contains(entry), let next = consumers[entry], next.count == 1 else { return nil }
        return next[0]
    }

    /// The nodes reading `entry`, in node order (a node reading it twice is listed twice).
    func consumers(of entry: NodeEntry) -> [Int] { consumers[entry] ?? [] }

    func isHead(_ entry: NodeEntry) -> Bool { heads.contains(entry) }

    /// Whether `value` is the value of any node entry other than `entry` (an alias).
    func isShared(_ value: Value, besides entry: NodeEntry) -> Bool {
        values.contains { $0.key != entry && $0.value === value }
    }

    func markFused(_ index: Int) { fused.insert(index) }
}

/// One operator node being compiled: its inputs' values, its inferred output shape, and
/// the ways it adds ops.
struct CompileStep {
    let node: Node
    let index: Int
    let compilation: GraphCompilation

    var training: Bool { compilation.training }

    /// The value input k reads.
    func input(_ k: Int) throws -> Value {
        guard k < node.inputs.count,
              let v = compilation.values[NodeEntry(node: node.inputs[k].node, output: node.inputs[k].output)] else {
            throw GraphError.wrongInputCount(node: node.name, op: node.op, expected: "at least \(k + 1)", found: node.inputs.count)
        }
        return v
    }

    /// Output 0's shape, as shape inference gave it.
    func outputShape() throws -> [Int] {
        guard let shape = compilation.shapes.outputs[NodeEntry(node: index, output: 0)] else {
            throw GraphError.missingInputShape(array: node.name, node: node.name)
        }
        return shape
    }

    /// Adds `op`, whose output is this node's output (or, when `producing` names a fused
    /// consumer, that node's).
    func emit(_ op: Op, producing node: Int? = nil) {
        compilation.append(op, computing: index)
        compilation.values[NodeEntry(node: node ?? index, output: 0)] = op.output
    }

    /// Adds `op` as an intermediate step whose output only this node's op reads.
    func emitIntermediate(_ op: Op) { compilation.append(op, computing: index, intermediate: true) }

    /// Adds a loss head: its labels are set for every batch.
    func emitLoss(_ op: LossOutputOp) {
        compilation.appendLoss(op)
        emit(op)
    }

    /// This node's output is an existing value (no op runs).
    func alias(_ value: Value) { compilation.values[NodeEntry(node: index, output: 0)] = value }

    /// The single consumer of this node's output, if `accepts` it; it is then compiled into
    /// this node's op and skipped when its turn comes.
    func fuseSoleConsumer(where accepts: (Node) -> Bool) -> Int? {
        fuseSoleConsumer(of: index, where: accepts)
    }

    /// The same for the output of `producer`, a node already fused into this one (a chain:
    /// convolution, then its BatchNorm, then the ReLU after that).
    func fuseSoleConsumer(of producer: Int, where accepts: (Node) -> Bool) -> Int? {
        guard let next = compilation.soleConsumer(of: producer), accepts(compilation.symbol.nodes[next]),
              let first = compilation.symbol.nodes[next].inputs.first, first.node == producer, first.output == 0 else { return nil }
        compilation.markFused(next)
        return next
    }
}
