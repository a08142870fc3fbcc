import Foundation

/// What a report page shows, as the JSON its script renders (Resources/report.html). Keys
/// are snake_case; absent parts are left out and the page hides their sections.
public struct ReportData: Codable, Sendable {
    public struct ModelCard: Codable, Sendable {
        public var numLayers: Int?
        public var imageShape: [Int]?
        public var numClasses: Int
        public var multiLabel: Bool
        /// Names by index, `numClasses` long (the index as text where the model names none).
        public var classes: [String]
        /// The epoch (0-based, as the log counts) whose weights were evaluated.
        public var epoch: Int?
    }

    public struct Epoch: Codable, Sendable {
        public var epoch: Int
        public var trainAccuracy: Double
        public var trainTopKAccuracy: Double?
        public var validationAccuracy: Double
        public var validationTopKAccuracy: Double?
        public var trainLoss: Double
        public var learningRate: Double
        public var seconds: Double
        public var imagesPerSecond: Double?
    }

    /// Images per class (multi-label: images carrying the class).
    public struct ClassBalance: Codable, Sendable {
        public var train: [Int]?
        public var validation: [Int]?
    }

    public struct ClassFigures: Codable, Sendable {
        public var index: Int
        public var name: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var support: Int
    }

    public struct EvaluationPart: Codable, Sendable {
        public var epoch: Int?
        public var samples: Int
        public var failed: Int
        public var multiLabel: Bool
        public var accuracy: Double
        public var topK: Int?
        public var topKAccuracy: Double?
        public var exactMatch: Double?
        public var perClass: [ClassFigures]
        /// Single-label: rows are true classes, columns predicted. Multi-label: per class [tp, fp, fn, tn].
        /// Absent above `EvaluationReport.denseConfusionLimit` single-label classes.
        public var confusion: [[Int]]?
        /// Single-label without a matrix: the most frequent confusions, which the page lists instead.
        public var topConfusions: [Confusion]?
    }

    /// Images of class `truth` predicted as `predicted`.
    public struct Confusion: Codable, Sendable {
        public var truth: Int
        public var predicted: Int
        public var count: Int
    }

    public struct Guess: Codable, Sendable {
        public var `class`: String
        public var probability: Double
    }

    /// A validation image the model got wrong, most confident first.
    public struct Mistake: Codable, Sendable {
        /// A `data:image/png;base64,` thumbnail.
        public var image: String
        public var reference: String
        public var truth: String
        public var top: [Guess]
    }

    public var title: String
    public var generated: String
    public var source: String
    public var model: ModelCard
    public var hyperparameters: [String: String]?
    public var topK: Int?
    public var bestEpoch: Int?
    public var history: [Epoch]
    public var classBalance: ClassBalance?
    public var evaluation: EvaluationPart?
    public var mistakes: [Mistake]

    /// The JSON the page embeds: NaN and infinities (a diverged loss) become strings, which
    /// the page skips as missing.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(self)
    }
}
