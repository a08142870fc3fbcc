import CDNNL
import Compute
import Foundation

/// Whether an executor runs inference (moving statistics) or training (batch statistics,
/// gradients, moving-statistic updates).
public enum ExecutionMode: Sendable { case inference, training }

/// The arithmetic of the network's bulk: float32, or bfloat16 mixed precision on CPUs
/// with bf16 instructions (convolutions, batch norm, pooling and sums on bf16 activations;
/// weights, their gradients, statistics, the classifier and the loss stay float32).
public enum Precision: String, Sendable { case float32, bfloat16 }

/// A symbol graph compiled for one input shape and mode: every oneDNN primitive and
/// every tensor is created here, once, and reused by each `forward`/`backward`.
///
/// Parameters live in a shared `ParameterStore`, so several executors (training and
/// inference, or different batch sizes) see the same weights.
// Unchecked Sendable: everything is built in init; forward/backward mutate the tensors, so one thread runs an executor at a time (the predictor's compute thread or the training loop).
public final class Executor: @unchecked Sendable {
    public let symbol: Symbol
    public let parameters: ParameterStore
    public let mode: ExecutionMode
    public let dataShape: [Int]
    public let shapes: InferredShapes
    public let precision: Precision
    /// The int8 convolutions' calibration (inference only; nil: every convolution in float).
    public let quantization: QuantizationTable?
    /// Whether every node's output can be read after `forward()` (``value(of:output:)``):
    /// no residual sum is then computed over its operand's buffer.
    public let preservesValues: Bool
    /// Inference: how float32 convolutions are computed (see `ConvolutionAlgorithm`).
    public let convolutionAlgorithm: ConvolutionAlgorithm
    /// Training: the most bytes of fused BatchNorm+ReLU outputs kept for the backward pass;
    /// above it they are all recomputed there instead (see `planRecomputation`).
    public let fusedOutputsKeptUpTo: Int

    /// Keeping fused outputs up to 512 MiB: small networks (ResNet-20 at 28 px, batch 128,
    /// keeps 60 MB) then skip the recomputation's extra BatchNorm passes, about 3% of their
    /// step, while large ones (ResNet-50 at 224 px, batch 32) recompute and stay below
    /// PyTorch's memory.
    public static let fusedOutputsKeptByDefault = 512 << 20

    private var ops: [Op] = []
    /// For each op, its node's kind and forward work (timed when `profile` is set).
    private var opWork: [OpWork] = []
    /// When set, every op of `forward` and `backward` is timed into it.
    public var profile: ExecutorProfile?
    private var values: [NodeEntry: Value] = [:]
    private var parameterNames: [ObjectIdentifier: String] = [:]
    private let dataValue: Value
    private var lossOps: [LossOutputOp] = []
    /// Each head's value, with a conversion to plain layout when it is not plain.
    private var headOutputs: [HeadOutput] = []
    /// Training: gradient buffers shared by lifetime, and per-step scratch.
    private let arena = Arena()
    /// Training: forward buffers of values rebuilt for the backward pass, shared by lifetime.
    private let forwardArena = Arena()
    private var recomputed: [Value] = []
    /// Training: values with several consumers, whose gradients are summed.
    private var accumulating: [Value] = []
    /// Training: how many op outputs share a gradient buffer with a residual sum's output
    /// (the sum's output counted too), for tests.
    public private(set) var sharedGradientValues = 0
    /// Training: for each op, the parameters whose gradients are complete once its backward
    /// step has run (their only, or first in forward order, consumer).
    private var parametersReadyAfter: [[String]] = []
    /// Names of the nodes computed inside another node's op: ReLUs in their BatchNorm; in
    /// inference also BatchNorms, residual sums and ReLUs in the convolution before them.
    public private(set) var fusedNodes: Set<String> = []
    /// The parameter store's generation that the ops' derived weights were built from.
    private var preparedGeneration: Int?

    /// Compiles `symbol` for input `data` of `dataShape` (NCHW). The loss heads' label
    /// inputs are named by MXNet's convention (`softmax_label` for a head named `softmax`).
    /// Every shape is checked against `limits` before anything is allocated; a graph that
    /// cannot run at this batch size is an error naming the node, never a trap.
    public init(symbol: Symbol, parameters: ParameterStore, dataShape: [Int], mode: ExecutionMode,
                dataName: String = "data", precision: Precision = .float32, limits: MemoryLimits = MemoryLimits(),
                quantization: QuantizationTable? = nil, preservesValues: Bool = false,
                convolutions: ConvolutionAlgorithm = .automatic, fusedOutputsKeptUpTo: Int = Executor.fusedOutputsKeptByDefault) throws {
        // Int8: inference executors run the table's convolutions in int8 (their weights are
        // quantized when the parameter store changes, as BatchNorms are folded).
        self.quantization = mode == .inference ? quantization : nil
        self.preservesValues = preservesValues
        convolutionAlgorithm = convolutions
        self.fusedOutputsKeptUpTo = fusedOutputsKeptUpTo
        self.symbol = symbol
        self.precision = precision
        self.parameters = parameters
        self.mode = mode
        self.dataShape = dataShape
        guard let batch = dataShape.first, dataShape.allSatisfy({ $0 > 0 }) else {
            throw GraphError.invalidShape(node: dataName, op: "null", detail: "the input shape \(fmt(dataShape)) must start with the batch size and have only positive dimensions")
        }
        let labelNames = try Executor.labelNames(of: symbol, dataName: dataName)
        shapes = try Executor.inferShapes(symbol, dataName: dataName, dataShape: dataShape, labelNames: labelNames, limits: limits)
        // Parameters are shared by executors of every batch size: their shapes must not
        // depend on it (a graph that is valid only at some batch sizes fails at those others).
        var otherBatch = dataShape
        otherBatch[0] = batch == 1 ? 2 : batch - 1
        if let other = try? Executor.inferShapes(symbol, dataName: dataName, dataShape: otherBatch, labelNames: labelNames, limits: limits),
           let dependent = shapes.batchDependentParameter(comparedWith: other, inputs: Set(labelNames.keys).union([dataName])) {
            throw GraphError.invalidShape(node: dependent.name, op: "null", detail: "the shape of this parameter depends on the batch size (\(fmt(dependent.shape)) at batch \(batch), \(fmt(dependent.otherShape ?? [])) at batch \(otherBatch[0])); parameters must have one shape")
        }
        let planned = Executor.planBytes(shapes)
        guard let planned, planned <= limits.planBytes else {
            throw GraphError.tooLarge(node: dataName, op: "null", shape: dataShape, bytes: planned, limit: limits.planBytes,
                                      what: "the estimated memory of one \(mode == .training ? "training" : "inference") executor")
        }
        try parameters.allocate(for: symbol, shapes: shapes, inputs: Set([dataName]).union(labelNames.keys))
        dataValue = try Value(.plain(dataShape))
        try compile(dataName: dataName, labelNames: Set(labelNames.keys))
        if mode == .training {
            try planRecomputation()
            try planGradientMemory()
            planParameterReadiness()
            try prepareScratch()
        }
        headOutputs = try symbol.heads.enumerated().map { k, head in
            guard let v = values[NodeEntry(node: head.node, output: head.output)] else {
                throw GraphError.invalidShape(node: symbol.nodes[head.node].name, op: symbol.nodes[head.node].op,
                                              detail: "head \(k) refers to output \(head.output), which this executor does not compute (only output 0 of an operator is a result)")
            }
            return try HeadOutput(v)
        }
    }

    /// Shape inference with the data and (single-label) label shapes given.
    static func inferShapes(_ symbol: Symbol, dataName: String, dataShape: [Int], labelNames: [String: Bool],
                            limits: MemoryLimits) throws -> InferredShapes {
        var inputShapes = [dataName: dataShape]
        for (name, multi) in labelNames where !multi { inputShapes[name] = [dataShape[0]] }
        return try symbol.inferShapes(inputs: inputShapes, limits: limits)
    }

    /// An estimate of what the executor holds, from the inferred shapes: every node output
    /// and every variable, as laid out (ResNet-152, batch 32, 224x224: about 10 GiB). Training
    /// adds gradients, but shares their buffers by lifetime, so they are not counted again.
    /// Nil when it overflows.
    public static func planBytes(_ shapes: InferredShapes) -> Int? {
        var total = 0
        for shape in Array(shapes.outputs.values) {
            guard let bytes = ShapeMath.laidOutBytes(shape), let sum = ShapeMath.add(total, bytes) else { return nil }
            total = sum
        }
        return total
    }

    /// Label variables (`Symbol.labelInputs`), true for multi-label heads; a head whose label
    /// is the data input is refused.
    static func labelNames(of symbol: Symbol, dataName: String = "data") throws -> [String: Bool] {
        var names: [String: Bool] = [:]
        for label in symbol.labelInputs {
            guard label.name != dataName else {
                throw GraphError.invalidShape(node: label.head, op: label.headOp, detail: "its label input is the data input '\(dataName)'")
            }
            names[label.name] = label.multiLabel
        }
        return names
    }

    /// Maps the variables to their values and compiles every operator node by its
    /// definition (see `OperatorRegistry`).
    private func compile(dataName: String, labelNames: Set<String>) throws {
        let training = mode == .training
        let compilation = GraphCompilation(symbol: symbol, shapes: shapes, training: training,
                                           convolutionType: precision == .bfloat16 ? dnnl_bf16 : dnnl_f32,
                                           arena: training ? arena : nil, batch: dataShape[0],
                                           parameters: parameters)
        compilation.quantization = quantization
        compilation.preservesValues = preservesValues
        compilation.convolutionAlgorithm = convolutionAlgorithm
        let auxiliary = Set(symbol.auxiliaryNames)
        for (i, node) in symbol.nodes.enumerated() where !compilation.fused.contains(i) {
            guard node.isVariable else {
                try compilation.compileOperator(i)
                continue
            }
            let entry = NodeEntry(node: i, output: 0)
            if node.name == dataName {
                compilation.values[entry] = dataValue
                if training { try dataValue.enableGradient() }
            } else if labelNames.contains(node.name) {
                continue
            } else if auxiliary.contains(node.name) {
                guard let t = parameters.auxiliary(node.name) else {
                    throw GraphError.missingInputShape(array: node.name, node: node.name)
                }
                compilation.values[entry] = try Value(t.desc, tensor: t)
            } else {
                guard let t = parameters.argument(node.name), let g = parameters.gradient(node.name) else {
                    throw GraphError.missingInputShape(array: node.name, node: node.name)
                }
                let v = try Value(t.desc, tensor: t)
                if training {
                    try v.enableGradient(g)
                    parameterNames[ObjectIdentifier(v)] = node.name
                }
                compilation.values[entry] = v
            }
        }
        ops = compilation.ops
        opWork = compilation.work
        values = compilation.values
        lossOps = compilation.lossOps
        fusedNodes = Set(compilation.fused.map { symbol.nodes[$0].name })
    }

    /// Fused BatchNorm+ReLU outputs read only by convolutions and pooling need not be kept
    /// for the backward pass: they can be rebuilt from the saved batch statistics when a
    /// consumer's backward step needs them, so their forward buffers can be shared by
    /// lifetime. This is what keeps a large network's training step below PyTorch's memory.
    /// When they total at most `fusedOutputsKeptUpTo` bytes they are kept instead: the
    /// rebuild costs a BatchNorm pass each, and small networks have the memory to spare.
    private func planRecomputation() throws {
        var consumers: [ObjectIdentifier: [Op]] = [:]
        var lastConsumer: [ObjectIdentifier: Int] = [:]
        for (k, op) in ops.enumerated() {
            for v in op.inputs {
                consumers[ObjectIdentifier(v), default: []].append(op)
                lastConsumer[ObjectIdentifier(v)] = k
            }
        }
        let heads = Set(symbol.heads.compactMap { values[NodeEntry(node: $0.node, output: $0.output)] }.map(ObjectIdentifier.init))
        var candidates: [(value: Value, recomputation: (Tensor) -> Void, start: Int, end: Int)] = []
        for (k, op) in ops.enumerated() {
            guard let recomputation = op.recomputation else { continue }
            let v = op.output, id = ObjectIdentifier(v)
            guard !heads.contains(id), let users = consumers[id],
                  users.allSatisfy({ $0.readsRecomputedInputs }),
                  // Not rebuilt from a value that is itself rebuilt.
                  !candidates.contains(where: { $0.value === op.inputs.first }) else { continue }
            candidates.append((v, recomputation, k, lastConsumer[id] ?? k))
        }
        let keptBytes = candidates.reduce(0) { $0 + $1.value.desc.byteCount }
        guard keptBytes > fusedOutputsKeptUpTo else { return }
        for candidate in candidates {
            candidate.value.recompute = candidate.recomputation
            recomputed.append(candidate.value)
            arena.reserve(slot: ScratchSlot.recomputed, candidate.value.desc)
        }
        let buffers = try forwardArena.assign(candidates.map { ($0.start, $0.end, $0.value.desc.byteCount) })
        for (candidate, buffer) in zip(candidates, buffers) {
            candidate.value.relocate(to: try forwardArena.tensor(candidate.value.desc, buffer: buffer))
        }
    }

    /// Gives every op output a gradient buffer, sharing buffers between values whose
    /// gradients are never alive at the same time, and between a residual sum and the inputs
    /// it hands its gradient to (`GradientSharing`). In the backward pass (ops in reverse),
    /// a value's gradient is first written at its last consumer's step and last read at
    /// its producer's step.
    private func planGradientMemory() throws {
        let n = ops.count
        var lastConsumer: [ObjectIdentifier: Int] = [:]
        var consumerCount: [ObjectIdentifier: Int] = [:]
        for (k, op) in ops.enumerated() {
            for v in op.inputs {
                lastConsumer[ObjectIdentifier(v)] = k
                consumerCount[ObjectIdentifier(v), default: 0] += 1
            }
        }
        // A residual sum's output and the inputs it hands its gradient to share one buffer
        // (one interval spanning all their lifetimes), so the sum copies nothing.
        let sharing = GradientSharing(ops: ops)
        var intervals: [(values: [Value], birth: Int, death: Int)] = []
        var intervalOfGroup: [Int: Int] = [:]
        for (k, op) in ops.enumerated() where !op.output.hasGradientBuffer {
            let id = ObjectIdentifier(op.output)
            let birth = n - 1 - (lastConsumer[id] ?? k), death = n - 1 - k
            if let group = sharing.groupOf[id] {
                if let i = intervalOfGroup[group] {
                    intervals[i].values.append(op.output)
                    intervals[i].birth = min(intervals[i].birth, birth)
                    intervals[i].death = max(intervals[i].death, death)
                    continue
                }
                intervalOfGroup[group] = intervals.count
            }
            intervals.append(([op.output], birth, death))
        }
        let buffers = try arena.assign(intervals.map { ($0.birth, $0.death, $0.values[0].desc.byteCount) })
        for (interval, buffer) in zip(intervals, buffers) {
            let gradient = try arena.tensor(interval.values[0].desc, buffer: buffer)
            for value in interval.values { try value.enableGradient(gradient) }
        }
        sharedGradientValues = sharing.groups.reduce(0) { $0 + $1.count }
        let distinct = Dictionary(values.values.map { (ObjectIdentifier($0), $0) }, uniquingKeysWith: { a, _ in a }).values
        for v in distinct {
            v.arena = arena
            if (consumerCount[ObjectIdentifier(v)] ?? 0) > 1 {
                arena.reserve(slot: ScratchSlot.accumulation, v.desc)
                accumulating.append(v)
            }
        }
        for op in ops { op.output.arena = arena }
    }

    /// Makes every scratch tensor once all arena slots are reserved, so the backward pass
    /// neither allocates nor creates primitives.
    private func prepareScratch() throws {
        for v in accumulating { try v.prepareAccumulation() }
        for op in ops { try op.prepareScratch() }
        for v in recomputed { v.backwardTensor = try arena.scratch(slot: ScratchSlot.recomputed, v.desc) }
    }

    /// A parameter's gradient is complete after the backward step of its first consumer in
    /// forward order (the backward pass runs the ops in reverse).
    private func planParameterReadiness() {
        parametersReadyAfter = Array(repeating: [], count: ops.count)
        var seen: Set<ObjectIdentifier> = []
        for (k, op) in ops.enumerated() {
            for v in op.inputs {
                let id = ObjectIdentifier(v)
                guard let name = parameterNames[id], !seen.contains(id) else { continue }
                seen.insert(id)
                parametersReadyAfter[k].append(name)
            }
        }
    }

    /// Inference: each float32 or bf16 convolution's node name and the oneDNN implementation
    /// it runs (`jit_wino_4x3:avx512_core` for Winograd), for diagnostics and tests; int8
    /// convolutions are not listed.
    public var convolutionImplementations: [String: String] {
        Dictionary(derivedWeights.map { ($0.node, $0.implementation) }, uniquingKeysWith: { a, _ in a })
    }

    private var derivedWeights: [DerivedWeights] { ops.compactMap { $0.derivedWeights } }

    /// Inference: bytes of the weights the float32 and bf16 convolutions keep in their
    /// primitives' layouts, with their folding scratch (Winograd's transformed weights are
    /// up to 4x the plain ones). Executors of one store share converted weights, so for several
    /// use `packedWeightBytes(of:)`, which counts each tensor once.
    public var packedWeightBytes: Int { Self.packedWeightBytes(of: [self]) }

    /// The bytes of `packedWeightBytes` over several executors, each tensor counted once.
    public static func packedWeightBytes(of executors: some Sequence<Executor>) -> Int {
        var seen: Set<ObjectIdentifier> = []
        var total = 0
        for executor in executors {
            for weights in executor.derivedWeights {
                for tensor in weights.heldTensors where seen.insert(ObjectIdentifier(tensor)).inserted {
                    total += tensor.byteCount
                }
            }
        }
        return total
    }

    /// Inference: each float32 or bf16 convolution's weights in its primitive's layout (tests: which
    /// tensors executors of one store share).
    var packedWeightTensors: [String: Tensor] {
        Dictionary(derivedWeights.map { ($0.node, $0.packedWeights) }, uniquingKeysWith: { a, _ in a })
    }

    /// Training: whether fused BatchNorm+ReLU outputs are rebuilt for the backward pass
    /// rather than kept (see `fusedOutputsKeptUpTo`).
    public var recomputesFusedOutputs: Bool { !recomputed.isEmpty }

    /// Bytes of gradient and scratch memory the training plan holds.
    public var gradientMemoryBytes: Int { arena.byteCount }

    /// Bytes held by the op outputs (activations).
    public var activationMemoryBytes: Int {
        ops.filter { $0.output.recompute == nil }.reduce(0) { $0 + $1.output.tensor.byteCount } + forwardArena.byteCount
    }

    // MARK: - Running

    /// Copies one batch of NCHW float32 input.
    public func setData(_ values: UnsafePointer<Float>) { dataValue.tensor.copy(from: values) }
    public func setData(_ values: [Float]) { dataValue.tensor.copy(from: values) }

    /// Labels for every loss head: [batch] class indices, or [batch, classes] for multi-label.
    public func setLabels(_ labels: [Float]) {
        for op in lossOps { op.labels.copy(from: labels) }
    }

    /// Multi-label heads: weights on each class's positive term (use_weighted_loss).
    public func setClassWeights(_ weights: [Float]) {
        for op in lossOps { op.positiveWeights = weights }
    }

    /// Runs the forward pass; throws when oneDNN refused to run one of its primitives.
    public func forward() throws(DNNLError) {
        if parameters.generation != preparedGeneration {
            for op in ops { op.parametersChanged() }
            preparedGeneration = parameters.generation
        }
        for v in recomputed { v.useForwardTensor() }
        if let profile {
            for (k, op) in ops.enumerated() {
                let started = ExecutorProfile.clock()
                op.forward()
                profile.addForward(opWork[k].kind, seconds: ExecutorProfile.clock() - started, flops: opWork[k].forwardFlops)
            }
        } else {
            for op in ops { op.forward() }
        }
        try DNNL.shared.checkExecutions()
    }

    /// Runs the backward pass from the loss heads; fills the parameter store's gradients
    /// and (training with batch statistics) updates the moving statistics.
    /// `parametersReady` is called after each op whose backward step completed some
    /// parameters' gradients, with their names (so a distributed trainer can start
    /// exchanging them while the rest of the backward pass runs).
    /// Throws when oneDNN refused to run one of its primitives.
    public func backward(parametersReady: (([String]) -> Void)? = nil) throws(DNNLError) {
        precondition(mode == .training, "backward needs an executor compiled for training")
        // A write path of the store: BatchNorm's backward step updates the moving statistics.
        defer { parameters.valuesWritten() }
        for v in values.values { v.resetGradient() }
        for (k, op) in ops.enumerated().reversed() {
            defer { if let parametersReady, !parametersReadyAfter[k].isEmpty { parametersReady(parametersReadyAfter[k]) } }
            for v in op.inputs {
                guard let recompute = v.recompute, let t = v.backwardTensor else { continue }
                v.tensor = t
                recompute(t)
            }
            if let profile {
                let started = ExecutorProfile.clock()
                op.backward()
                profile.addBackward(opWork[k].kind, seconds: ExecutorProfile.clock() - started)
            } else {
                op.backward()
            }
        }
        try DNNL.shared.checkExecutions()
    }

    /// Head `index`'s output, plain row-major (probabilities for a loss head); empty for
    /// an index that is not a head.
    public func output(_ index: Int = 0) -> [Float] {
        guard headOutputs.indices.contains(index) else { return [] }
        return headOutputs[index].read()
    }

    /// Int8 calibration's read-only view: node `node`'s output `output` as plain float32
    /// values (NCHW), after `forward()`; nil when this executor does not hold it.
    public func value(of node: String, output: Int = 0) throws -> [Float]? {
        guard let i = symbol.nodes.firstIndex(where: { $0.name == node }), let v = values[NodeEntry(node: i, output: output)] else { return nil }
        return try HeadOutput(v).read()
    }

    /// The gradient with respect to the input batch (NCHW).
    public func dataGradient() -> [Float] {
        guard mode == .training else { return [] }
        return dataValue.gradient.toArray()
    }
}

/// A head's value and, when its layout is not plain, the conversion made at compile time.
private struct HeadOutput {
    let value: Value
    let toPlain: Reorder?
    let plain: Tensor?

    init(_ value: Value) throws {
        self.value = value
        if value.desc.isPlain {
            toPlain = nil
            plain = nil
        } else {
            let desc = try MemoryDesc.plain(value.desc.dims)
            toPlain = try Reorder(from: value.desc, to: desc)
            plain = try Tensor(desc, zeroed: false)
        }
    }

    func read() -> [Float] {
        guard let toPlain, let plain else { return value.tensor.toArray() }
        toPlain.run(value.tensor, plain)
        return plain.toArray()
    }
}
