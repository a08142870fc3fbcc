import Graph

/// Walks a symbol graph in its (topological) node order and builds the ONNX graph's nodes
/// and initializers: `data` becomes the graph input, every other variable a float32
/// initializer from the params file (only those some node reads), every operator node one
/// or more ONNX nodes by its operator's lowering (declared in Graph, `OperatorRegistry.lowerToONNX`). Tensor names are MXNet's node names (made
/// unique where needed); the head's output is named ``ONNXExporter/outputName``.
///
/// A class, not a struct: the lowering queries read its shapes while it adds nodes.
final class GraphWalk {
    let source: String
    let symbol: Symbol
    /// Every shape at batch 1 (the lowerings read spatial sizes from them).
    let shapes: InferredShapes
    let parameters: ParameterTable

    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    /// Bytes of all initializer data so far.
    private(set) var initializerBytes = 0

    private var tensorNames = UniqueNames(reserved: [ONNXExporter.inputName, ONNXExporter.outputName])
    private var nodeNames = UniqueNames()
    /// The ONNX tensor holding output 0 of each MXNet node visited so far.
    private var produced: [Int: String] = [:]
    /// The initializer made for each variable node.
    private var parameterTensors: [Int: String] = [:]
    private let headNode: Int
    private let dataNode: Int
    private let auxiliaryNames: Set<String>

    /// The MXNet node being mapped.
    private(set) var index = 0
    var node: Node { symbol.nodes[index] }

    init(source: String, symbol: Symbol, shapes: InferredShapes, parameters: ParameterTable, headNode: Int, dataNode: Int) {
        self.source = source
        self.symbol = symbol
        self.shapes = shapes
        self.parameters = parameters
        self.headNode = headNode
        self.dataNode = dataNode
        auxiliaryNames = Set(symbol.auxiliaryNames)
        produced[dataNode] = ONNXExporter.inputName
    }

    /// Maps every operator node; returns the tensor that holds the head's value.
    func run() throws -> String {
        for i in symbol.nodes.indices where !symbol.nodes[i].isVariable {
            index = i
            let current = node
            let query = ONNXLoweringQuery(node: current, inputShape: { [unowned self] k in self.shape(of: current.inputs[k]) },
                                          inputName: { [unowned self] k in self.symbol.nodes[current.inputs[k].node].name })
            let lowering: ONNXLowering?
            do { lowering = try OperatorRegistry.lowerToONNX(query) } catch let error as GraphError {
                throw ONNXExportError.invalidGraph(source: source, detail: error.description)
            } catch let error as ONNXLoweringError {
                throw fail(error.detail)
            }
            guard let lowering else {
                throw ONNXExportError.unsupportedOperator(source: source, node: node.name, op: node.op, supported: OperatorRegistry.onnxExportableNames)
            }
            try write(lowering)
        }
        guard let head = produced[headNode] else {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "the graph's output is the variable '\(symbol.nodes[headNode].name)', not an operator's result")
        }
        return head
    }

    // MARK: - Writing a lowering

    /// Adds the ONNX nodes `lowering` describes for the current node, or makes its value an
    /// input's (an identity at inference).
    private func write(_ lowering: ONNXLowering) throws {
        switch lowering {
        case .alias(let k):
            alias(try input(k))
        case .nodes(let descriptions):
            var previous: String?
            for description in descriptions {
                let inputs = try description.inputs.map { try tensor($0, previous: previous) }
                let attributes = description.attributes.map(Proto.attribute)
                if let suffix = description.intermediateSuffix {
                    previous = emitIntermediate(description.opType, suffix: suffix, inputs: inputs, attributes: attributes)
                } else {
                    previous = emit(description.opType, inputs: inputs, attributes: attributes)
                }
            }
        }
    }

    /// The ONNX tensor an input description names.
    private func tensor(_ description: ONNXInputDescription, previous: String?) throws -> String {
        switch description {
        case .input(let k): return try input(k)
        case .constant(let preferredName, let shape, let values): return constant(preferredName, shape: shape, values: values)
        case .previous:
            guard let previous else { throw fail("its ONNX lowering reads a previous node, but it has none") }
            return previous
        }
    }

    /// The ONNX tensor for input `k` of the current node: the graph input, an earlier
    /// node's output, or the initializer of a stored parameter (made on first use).
    private func input(_ k: Int) throws -> String {
        guard node.inputs.indices.contains(k) else {
            throw fail("has \(node.inputs.count) inputs; input \(k) is needed")
        }
        let entry = node.inputs[k]
        let producer = symbol.nodes[entry.node]
        if producer.isVariable && entry.node != dataNode { return try parameter(entry.node) }
        guard entry.output == 0 else {
            throw ONNXExportError.hiddenOutput(source: source, node: node.name, input: k, producer: producer.name, output: entry.output)
        }
        guard let name = produced[entry.node] else {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "node '\(node.name)' reads '\(producer.name)', which has no value at this point")
        }
        return name
    }

    /// The shape of `entry` at batch 1, nil when unknown.
    private func shape(of entry: NodeEntry) -> [Int]? {
        let producer = symbol.nodes[entry.node]
        return producer.isVariable
            ? shapes.arguments[producer.name] ?? shapes.auxiliary[producer.name]
            : shapes.outputs[NodeEntry(node: entry.node, output: entry.output)]
    }

    /// Adds the node that computes the current MXNet node's value; returns its tensor.
    private func emit(_ opType: String, inputs: [String], attributes: [Onnx_AttributeProto] = []) -> String {
        let output = index == headNode ? ONNXExporter.outputName : tensorNames.take(node.name)
        nodes.append(Proto.node(opType, name: nodeNames.take(node.name), inputs: inputs, outputs: [output], attributes: attributes))
        produced[index] = output
        return output
    }

    /// Adds a node computing an intermediate value of the current MXNet node; returns its tensor.
    private func emitIntermediate(_ opType: String, suffix: String, inputs: [String], attributes: [Onnx_AttributeProto] = []) -> String {
        let output = tensorNames.take(node.name + suffix)
        nodes.append(Proto.node(opType, name: nodeNames.take(node.name + suffix), inputs: inputs, outputs: [output], attributes: attributes))
        return output
    }

    /// The current node computes nothing: its value is `tensor` (identity ops, Dropout at inference).
    private func alias(_ tensor: String) { produced[index] = tensor }

    /// Appends a final Identity so that the graph's output has its fixed name (when the head
    /// is an alias of another tensor).
    func identity(from tensor: String, to output: String) {
        nodes.append(Proto.node("Identity", name: nodeNames.take(output), inputs: [tensor], outputs: [output]))
    }

    /// A new float32 initializer holding `values` (such as BatchNorm's fixed gamma of ones).
    private func constant(_ preferred: String, shape: [Int], values: [Float]) -> String {
        let name = tensorNames.take(preferred)
        initializers.append(Proto.floatTensor(name: name, shape: shape, values: values))
        initializerBytes += values.count * 4
        return name
    }

    /// An unsupported attribute value of the current node.
    private func fail(_ detail: String) -> ONNXExportError {
        .unsupportedAttribute(source: source, node: node.name, op: node.op, detail: detail)
    }

    /// The initializer of variable node `v`, from the params file, checked against the shape
    /// the graph infers for it.
    private func parameter(_ v: Int) throws -> String {
        if let name = parameterTensors[v] { return name }
        let variable = symbol.nodes[v]
        let auxiliary = auxiliaryNames.contains(variable.name)
        guard let array = parameters.array(variable.name, auxiliary: auxiliary) else {
            throw ONNXExportError.missingParameter(source: source, array: variable.name, node: node.name)
        }
        if let expected = shapes.arguments[variable.name] ?? shapes.auxiliary[variable.name], expected != array.shape {
            throw ONNXExportError.parameterShape(source: source, array: variable.name, expected: expected, found: array.shape)
        }
        let name = constant(variable.name, shape: array.shape, values: array.floats())
        parameterTensors[v] = name
        return name
    }
}

/// The params file's arrays by name: `arg:NAME` for arguments, `aux:NAME` for auxiliary
/// states, or bare names (as MXNet's `save_checkpoint` and `mx.nd.save` write them).
struct ParameterTable {
    private var arguments: [String: NDArray] = [:]
    private var auxiliaries: [String: NDArray] = [:]
    private var bare: [String: NDArray] = [:]

    init(_ arrays: [(name: String, array: NDArray)]) {
        for (name, array) in arrays {
            if name.hasPrefix("arg:") { arguments[String(name.dropFirst(4))] = array }
            else if name.hasPrefix("aux:") { auxiliaries[String(name.dropFirst(4))] = array }
            else { bare[name] = array }
        }
    }

    func array(_ name: String, auxiliary: Bool) -> NDArray? {
        (auxiliary ? auxiliaries[name] : arguments[name]) ?? bare[name]
    }
}
