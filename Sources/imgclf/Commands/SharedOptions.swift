import ArgumentParser
import Foundation
import Graph
import Serving

// Option groups that several commands share (`@OptionGroup`), each with its own `validate()`.

/// `--image-shape C,H,W`, for an artifact without model-shapes.json.
struct ImageShapeOption: ParsableArguments {
    @Option(name: .customLong("image-shape"), help: "C,H,W when the artifact has no model-shapes.json.") var imageShape: String?

    func validate() throws { _ = try shape() }

    /// The parsed shape, nil when not given.
    func shape() throws -> [Int]? { try parseShape(imageShape) }
}

/// `--epoch N`: which checkpoint of an artifact to load.
struct EpochOption: ParsableArguments {
    @Option(name: .customLong("epoch"), help: "Which *-NNNN.params to load when the artifact holds several (default: the highest).") var epoch: Int?

    func validate() throws {
        if let epoch { try requireRange(epoch, 0...9999, option: "--epoch") }
    }
}

/// `--max-pixels N`: the largest image a model command decodes.
struct MaxPixelsOption: ParsableArguments {
    @Option(name: .customLong("max-pixels"), help: "Largest width x height accepted (checked from the image header).") var maxPixels = 40_000_000

    func validate() throws { try requireRange(maxPixels, 1...1_000_000_000, option: "--max-pixels") }
}

/// `--precision float32|bf16|int8`: the arithmetic of the forward pass. Unset: int8 for a
/// quantized artifact (`imgclf quantize`), float32 otherwise.
struct PrecisionOption: ParsableArguments {
    @Option(name: .customLong("precision"), help: "float32, bf16 (bfloat16, on CPUs with bf16 instructions) or int8 (a quantized artifact). Default: int8 for a quantized artifact, else float32.") var precision: PrecisionChoice?

    /// The float precision and whether a quantized artifact's convolutions run in int8.
    func choice() -> (precision: Precision, int8: PredictorOptions.Int8Use) {
        switch precision {
        case nil: return (.float32, .whenQuantized)
        case .float32: return (.float32, .never)
        case .bf16: return (.bfloat16, .never)
        case .int8: return (.float32, .required)
        }
    }
}

/// The model options of `predict`, `evaluate` and `transform`: the artifact, its input shape
/// when it records none, and the images per forward pass.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("model"), help: "A model.tar.gz or a folder with *-symbol.json, *-NNNN.params and model-shapes.json.") var model: String
    @OptionGroup var shape: ImageShapeOption
    @Option(name: .customLong("batch-size"), help: "Images per forward pass.") var batchSize = 32
    @OptionGroup var precision: PrecisionOption

    func validate() throws { try requireRange(batchSize, 1...1024, option: "--batch-size") }

    /// Loads the model with these options (and the command's own limits).
    func predictor(maxPixels: Int = PredictorOptions().maxPixels, epoch: Int? = nil) throws -> Predictor {
        try Predictor(contentsOf: URL(fileURLWithPath: model), options: predictorOptions(maxPixels: maxPixels, epoch: epoch))
    }

    func predictorOptions(maxPixels: Int = PredictorOptions().maxPixels, epoch: Int? = nil) throws -> PredictorOptions {
        PredictorOptions(maxBatch: batchSize, maxPixels: maxPixels, imageShape: try shape.shape(), epoch: epoch,
                         precision: precision.choice().precision, int8: precision.choice().int8)
    }
}

/// Writes one warning line to standard error.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}
