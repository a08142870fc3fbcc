/// Why a model cannot be exported as ONNX. Every case names the artifact and the node or
/// array involved and says what was expected, so the message alone tells a user what to fix.
public enum ONNXExportError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A node uses an operator the export has no ONNX mapping for.
    case unsupportedOperator(source: String, node: String, op: String, supported: [String])
    /// A node's attributes ask for something the ONNX graph cannot reproduce exactly.
    case unsupportedAttribute(source: String, node: String, op: String, detail: String)
    /// A node reads an output of another node that the export does not carry (BatchNorm's
    /// batch statistics, max pooling's workspace, Dropout's mask).
    case hiddenOutput(source: String, node: String, input: Int, producer: String, output: Int)
    /// A learnable parameter or moving statistic the graph reads is not in the params file.
    case missingParameter(source: String, array: String, node: String)
    /// A stored array's shape is not the one the graph needs.
    case parameterShape(source: String, array: String, expected: [Int], found: [Int])
    /// The graph is not the classifier shape the export writes: one `data` input, one
    /// [batch, classes] output, parameters that do not depend on the batch size.
    case unsupportedGraph(source: String, detail: String)
    /// No input shape is known (no model-shapes.json, no image_shape hyperparameter).
    case noImageShape(source: String)
    /// The graph failed Graph's own checks (shape inference), with its message.
    case invalidGraph(source: String, detail: String)
    /// The weights do not fit one protobuf message (2 GiB), which ONNX files without external data need.
    case tooLarge(source: String, bytes: Int, limit: Int)
    /// The output file could not be written.
    case write(file: String, detail: String)

    public var description: String {
        switch self {
        case let .unsupportedOperator(source, node, op, supported): "\(source): node '\(node)' uses operator '\(op)', which the ONNX export does not support (supported: \(supported.joined(separator: ", ")))"
        case let .unsupportedAttribute(source, node, op, detail): "\(source): node '\(node)' (\(op)): \(detail)"
        case let .hiddenOutput(source, node, input, producer, output): "\(source): node '\(node)' input \(input) reads output \(output) of '\(producer)'; the ONNX export carries only the first output of each operator"
        case let .missingParameter(source, array, node): "\(source): the params file has no array '\(array)' (read by node '\(node)')"
        case let .parameterShape(source, array, expected, found): "\(source): array '\(array)' has shape \(Self.format(found)); the graph needs \(Self.format(expected))"
        case let .unsupportedGraph(source, detail): "\(source): \(detail)"
        case let .noImageShape(source): "\(source): no model-shapes.json and no image_shape hyperparameter; pass the shape the model was trained on (--image-shape C,H,W)"
        case let .invalidGraph(source, detail): "\(source): \(detail)"
        case let .tooLarge(source, bytes, limit): "\(source): the weights take \(bytes) bytes; an ONNX file without external data holds at most \(limit)"
        case let .write(file, detail): "\(file): cannot write the ONNX model: \(detail)"
        }
    }

    static func format(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}
