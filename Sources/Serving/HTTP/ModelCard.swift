import Foundation
import Support

/// What the serving page says about the model it serves (`GET /`): the facts a person
/// checks before trusting an answer.
struct ModelCard: Encodable {
    var classes: [String]
    var numClasses: Int
    var imageShape: [Int]
    var numLayers: Int?
    var multiLabel: Bool
    /// The served checkpoint's validation accuracy, from the artifact's training history.
    var validationAccuracy: Double?
    var precision: String
    var source: String
    var topK: Int

    init(predictor: Predictor) {
        classes = (0..<predictor.numClasses).map(predictor.className)
        numClasses = predictor.numClasses
        imageShape = predictor.imageShape
        numLayers = predictor.hyperparameters["num_layers"].flatMap { Int($0) }
        multiLabel = predictor.multiLabel
        validationAccuracy = predictor.validationAccuracy
        precision = predictor.quantization != nil ? "int8" : (predictor.options.precision == .bfloat16 ? "bf16" : "float32")
        source = predictor.source
        topK = min(5, predictor.numClasses)
    }

    func json() -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        // Strings, integers and finite doubles only: encoding cannot fail.
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}

extension EmbeddedPage {
    /// The page `GET /` answers with (Resources/ui.html): pick or drop an image, see the top classes.
    static let servePage = EmbeddedPage(template: PackageResources.ui_html, token: "__IMGCLF_MODEL_CARD__")
}
