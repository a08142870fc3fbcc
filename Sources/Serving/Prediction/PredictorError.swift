import Compute
import Dispatch
import Foundation
import Graph
import ImageData
import Models

/// Why a model cannot be served.
public enum PredictorError: Error, CustomStringConvertible {
    case noImageShape(source: String)
    case badHead(source: String, shape: [Int])
    case outOfRange(origin: String, field: String, expected: String, found: String)
    case batchDependent(source: String, batch: Int, detail: String)
    case precisionUnsupported(Precision)
    case notQuantized(source: String)
    case notProbabilities(source: String, node: String, op: String)
    case noQuantizedConvolution(source: String)
    /// oneDNN refused to run the forward pass (an internal fault or the host out of memory).
    case forwardFailed(source: String, detail: String)

    public var description: String {
        switch self {
        case let .noImageShape(source):
            return "\(source): no model-shapes.json and no image_shape hyperparameter; pass the shape the model was trained on (--image-shape C,H,W)"
        case let .badHead(source, shape):
            return "\(source): the network's output has shape \(shape); expected [batch, classes]"
        case let .outOfRange(origin, field, expected, found):
            return "\(origin): \(field) is \(found); expected \(expected)"
        case let .batchDependent(source, batch, detail):
            return "\(source): the network cannot run a batch of \(batch) images: \(detail)"
        case let .precisionUnsupported(precision):
            return "this CPU has no bfloat16 instructions (AVX-512 BF16 or AMX), so it cannot serve in \(precision.rawValue); use float32"
        case let .notQuantized(source):
            return "\(source): int8 needs a quantized artifact (with \(QuantizationTable.fileName), written by imgclf quantize); this one is float32 only"
        case let .noQuantizedConvolution(source):
            return "\(source): --precision int8 asked for, but \(QuantizationTable.fileName) calibrates no convolution, so none would run in int8; "
                + "run imgclf quantize again or use --precision float32"
        case let .forwardFailed(source, detail):
            return "\(source): the forward pass failed: \(detail)"
        case let .notProbabilities(source, node, op):
            return "\(source): the network ends in \(op) (node \(node)), which does not output probabilities; "
                + "expected a SoftmaxOutput, LogisticRegressionOutput or sigmoid Activation head, as training writes"
        }
    }
}
