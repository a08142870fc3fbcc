import ArgumentParser
import Graph
import ImageData
import Serving

// The string choices of the commands' options, as types: ArgumentParser lists them in the
// help and refuses any other value, naming the option and the choices.

/// `benchmark --precision_dtype`: the service's names (float16 is our bf16 mixed precision).
enum BenchmarkPrecision: String, ExpressibleByArgument, CaseIterable {
    case float32, float16, int8
}

/// `--precision` of the model commands; fp32 and bfloat16 are taken too, in any case.
enum PrecisionChoice: String, ExpressibleByArgument, CaseIterable {
    case float32, bf16, int8

    init?(argument: String) {
        switch argument.lowercased() {
        case "float32", "fp32": self = .float32
        case "bf16", "bfloat16": self = .bf16
        case "int8": self = .int8
        default: return nil
        }
    }
}

/// `export --format`, in any case.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case onnx

    init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// `im2rec --encoding`: the records' image format.
enum Im2RecEncoding: String, ExpressibleByArgument, CaseIterable {
    case jpg = ".jpg", png = ".png"
}

/// `benchmark --convolutions`, by the algorithm's name.
extension ConvolutionAlgorithm: ExpressibleByArgument {}

/// `benchmark --augmentation_type`, by the hyperparameter's values.
extension AugmentationType: ExpressibleByArgument {}

/// `transform --accept`: an Accept value that asks for one of the JSON formats (its
/// negotiation as the server's, so `application/jsonlines; q=1` is taken too); a wildcard
/// alone is refused, as it names no format.
extension ResponseFormat: ExpressibleByArgument {
    public init?(argument: String) {
        guard argument.contains("json"), let format = ResponseFormat.negotiate(accept: argument) else { return nil }
        self = format
    }
}
