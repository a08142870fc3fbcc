/// How one node is written in ONNX (opset 17), declared by its operator's definition without
/// protobuf: `ONNXExport` turns the description into nodes and initializers. A lowering
/// computes in inference what the executor (and MXNet 1.9) computes.
public enum ONNXLowering: Sendable, Equatable {
    /// The node computes nothing at inference: its value is input `input`'s.
    case alias(input: Int)
    /// ONNX nodes, in order; the last computes the node's value, the others intermediate values.
    case nodes([ONNXNodeDescription])
}

/// One ONNX node of the default domain.
public struct ONNXNodeDescription: Sendable, Equatable {
    public var opType: String
    public var inputs: [ONNXInputDescription]
    public var attributes: [ONNXAttributeDescription]
    /// For an intermediate node, what its tensor's name adds to the MXNet node's name.
    public var intermediateSuffix: String?

    public init(_ opType: String, inputs: [ONNXInputDescription], attributes: [ONNXAttributeDescription] = [],
                intermediateSuffix: String? = nil) {
        self.opType = opType
        self.inputs = inputs
        self.attributes = attributes
        self.intermediateSuffix = intermediateSuffix
    }
}

/// Where an ONNX node's input comes from.
public enum ONNXInputDescription: Sendable, Equatable {
    /// The MXNet node's input k.
    case input(Int)
    /// The previous node of the same lowering (an intermediate value).
    case previous
    /// A new float32 initializer, named after `preferredName`.
    case constant(preferredName: String, shape: [Int], values: [Float])
}

/// An ONNX attribute.
public enum ONNXAttributeDescription: Sendable, Equatable {
    case int(String, Int)
    case ints(String, [Int])
    case float(String, Float)
}

/// Whether an operator has an ONNX lowering; every operator declares one or the other.
enum ONNXLoweringRule: Sendable {
    case lowered(@Sendable (ONNXLoweringQuery) throws -> ONNXLowering)
    case unexportable(reason: String)
}

/// What a lowering sees of one node: the node (for its attributes), its inputs' shapes at
/// batch 1 and their producers' names.
public struct ONNXLoweringQuery {
    public let node: Node
    private let shapeOfInput: (Int) -> [Int]?
    private let nameOfInput: (Int) -> String

    /// `inputShape(k)` is input k's shape at batch 1 (nil when unknown), `inputName(k)` the
    /// name of the node it reads; both are asked only for k < `node.inputs.count`.
    public init(node: Node, inputShape: @escaping (Int) -> [Int]?, inputName: @escaping (Int) -> String) {
        self.node = node
        shapeOfInput = inputShape
        nameOfInput = inputName
    }

    /// Requires exactly `count` inputs (the data and the parameters the node reads).
    func expectInputs(_ count: Int) throws {
        guard node.inputs.count == count else { throw fail("expected \(count) inputs, found \(node.inputs.count)") }
    }

    /// The shape of input k at batch 1.
    func shape(_ k: Int) throws -> [Int] {
        guard node.inputs.indices.contains(k) else { throw fail("has \(node.inputs.count) inputs; input \(k) is needed") }
        guard let shape = shapeOfInput(k) else { throw fail("the shape of input \(k) ('\(nameOfInput(k))') is unknown") }
        return shape
    }

    /// The name of the node input k reads.
    func inputName(_ k: Int) -> String { nameOfInput(k) }

    /// An attribute value the ONNX graph cannot reproduce exactly.
    func fail(_ detail: String) -> ONNXLoweringError { ONNXLoweringError(detail: detail) }

    /// Refuses a `layout` other than channel-first (NCW, NCHW, NCDHW).
    func requireChannelFirst(axes: Int) throws {
        if let layout = node.attrs["layout"], layout != "None", layout != ["NCW", "NCHW", "NCDHW"][axes - 1] {
            throw fail("layout \(layout) is not supported (only channel-first)")
        }
    }
}

/// Shapes as the export prints them: `[1, 3, 8, 8]`.
func bracketed(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
