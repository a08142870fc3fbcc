/// What every part of the program may ask of one MXNet operator, whether or not the
/// executor runs it: its names, its traits (`OperatorTraits`) and its ONNX lowering, or that
/// it has none. No other file lists operator names: callers ask `OperatorRegistry`.
protocol OperatorDescription: Sendable {
    /// MXNet's names for it, aliases included, as they appear in symbol JSON; the first is
    /// the name MXNet writes.
    static var names: [String] { get }
    /// What callers outside the compile step ask of node `node` (nothing by default).
    static func traits(of node: Node) -> OperatorTraits
    /// How a node is written in ONNX, or why it cannot be (required: every operator says).
    static var onnx: ONNXLoweringRule { get }
    /// The operator as messages name it (an Activation with its `act_type`).
    static func describe(_ node: Node) -> String
}

extension OperatorDescription {
    static func traits(of node: Node) -> OperatorTraits { OperatorTraits() }
    static func describe(_ node: Node) -> String { node.op }
    /// The name MXNet writes for it.
    static var name: String { names[0] }
}

/// Everything the graph knows about one MXNet operator it runs, in one place: its
/// description (names, traits, ONNX lowering), how many outputs MXNet counts for it, which
/// inputs are auxiliary states, its shape rule and its compile step. Each operator's file
/// holds its definition beside the compiled op, and `OperatorRegistry` lists them all, so
/// shape inference, the executor, the calibrator and the ONNX export read the same facts.
protocol OperatorDefinition: OperatorDescription {
    /// The outputs MXNet counts for this node (`node_row_ptr`), visible ones and hidden ones.
    static func outputCount(of node: Node) -> Int
    /// Inputs that are auxiliary states (MXNet's `list_auxiliary_states`), not arguments.
    static var auxiliaryInputs: Range<Int> { get }
    /// The shape every input must have and the shape of every output, by MXNet 1.9's formulas.
    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult
    /// Adds the node's compiled ops to the executor being built, reading the shapes that
    /// shape inference gave it.
    static func compile(_ step: CompileStep) throws
}

extension OperatorDefinition {
    static func outputCount(of node: Node) -> Int { 1 }
    static var auxiliaryInputs: Range<Int> { 0..<0 }
}

/// The shapes a node's inputs must have, and the shapes of its outputs.
typealias ShapeResult = (inputs: [[Int]], outputs: [[Int]])

/// What a shape rule sees of one node: the node (for its attributes) and the shapes known
/// so far for its inputs, nil for variables not yet determined.
struct ShapeQuery {
    let node: Node
    let inputs: [[Int]?]
    /// The name of the array that input k reads, for messages.
    let inputName: (Int) -> String
    /// Whether input k is a variable (an argument) rather than an operator's output.
    let isVariable: (Int) -> Bool

    /// Range of `num_filter` and `num_hidden`: sizes beyond it are refused here; sizes
    /// within it are bounded further by the executor's memory limits.
    static let unitRange = 1...Int(Int32.max)

    func fail(_ detail: String) -> GraphError { .invalidShape(node: node.name, op: node.op, detail: detail) }

    /// Refuses a node with another number of inputs.
    func expectInputs(_ allowed: ClosedRange<Int>) throws {
        guard allowed.contains(inputs.count) else {
            throw GraphError.wrongInputCount(node: node.name, op: node.op,
                                             expected: allowed.count == 1 ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)",
                                             found: inputs.count)
        }
    }

    /// For a weighted layer (data, weight and a bias unless `no_bias`): checks the input
    /// count and returns the data's shape and whether there is a bias.
    func weightedLayerInputs() throws -> (data: [Int], hasBias: Bool) {
        let noBias = try node.bool("no_bias", default: false)
        try expectInputs(noBias ? 2...2 : 3...3)
        return (try data(), !noBias)
    }

    /// The shape of input k, which must already be known (it is the data flowing in).
    func data(_ k: Int = 0) throws -> [Int] {
        guard let s = inputs[k] else { throw GraphError.missingInputShape(array: inputName(k), node: node.name) }
        return s
    }
}
