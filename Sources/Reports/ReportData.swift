import Foundation
import Models

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

    /// Images per class (multi-label: images carrying the class).
    public struct ClassBalance: Codable, Sendable {
        public var train: [Int]?
        public var validation: [Int]?
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
    /// The artifact's training history (`training-history.json`), as training wrote it.
    public var history: [EpochRecord]
    public var classBalance: ClassBalance?
    /// The evaluation on labelled data, every class named and `epoch` the checkpoint's.
    public var evaluation: EvaluationReport?
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
