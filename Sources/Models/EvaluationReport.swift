import Foundation

/// An evaluation of a model on labelled data: what `imgclf evaluate` prints as JSON and what
/// the report page's evaluation shows, one record for both (``Evaluation`` counts it). Its
/// JSON keys are snake_case, as the page's encoder would make them.
public struct EvaluationReport: Sendable, Codable, Equatable {
    /// Above this many classes the report carries no dense confusion matrix (the pages draw
    /// one cell per pair, and the JSON would hold classes squared numbers), only `topConfusions`.
    public static let denseConfusionLimit = 1000
    /// How many of the most frequent confusions a report without a dense matrix lists.
    public static let topConfusionCount = 50

    public struct ClassMetrics: Sendable, Codable, Equatable {
        public let index: Int
        public var name: String?
        public let precision: Double
        public let recall: Double
        /// The harmonic mean of precision and recall (0 when both are 0); written beside them,
        /// and computed again when read, never taken from the file.
        public let f1: Double
        /// Images whose label is this class.
        public let support: Int

        public init(index: Int, name: String? = nil, precision: Double, recall: Double, support: Int) {
            (self.index, self.name, self.precision, self.recall, self.support) = (index, name, precision, recall, support)
            f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        }

        enum CodingKeys: String, CodingKey {
            case index, name, precision, recall, f1, support
        }

        /// The encoding is synthesized (every stored field, f1 included).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(index: try c.decode(Int.self, forKey: .index), name: try c.decodeIfPresent(String.self, forKey: .name),
                      precision: try c.decode(Double.self, forKey: .precision), recall: try c.decode(Double.self, forKey: .recall),
                      support: try c.decode(Int.self, forKey: .support))
        }
    }

    /// Images of class `truth` predicted as `predicted` (truth != predicted).
    public struct Confusion: Sendable, Codable, Equatable {
        public var truth: Int
        public var predicted: Int
        public var count: Int

        public init(truth: Int, predicted: Int, count: Int) {
            (self.truth, self.predicted, self.count) = (truth, predicted, count)
        }
    }

    /// The checkpoint evaluated (0-based, as the log counts its epochs), when known: the
    /// training report sets it; `evaluate` knows no epoch and leaves it out.
    public var epoch: Int?
    public var samples: Int
    public var failed: Int
    public var multiLabel: Bool
    public var accuracy: Double
    public var topK: Int?
    public var topKAccuracy: Double?
    /// Multi-label: images whose every class was decided right.
    public var exactMatch: Double?
    public var perClass: [ClassMetrics]
    /// Single-label, up to `denseConfusionLimit` classes: rows are true classes, columns
    /// predicted. Multi-label: per class [true positives, false positives, false negatives,
    /// true negatives]. Absent for more single-label classes (see `topConfusions`).
    public var confusion: [[Int]]?
    /// Single-label above `denseConfusionLimit` classes: the most frequent confusions.
    public var topConfusions: [Confusion]?

    enum CodingKeys: String, CodingKey {
        case epoch, samples, failed, accuracy, confusion
        case multiLabel = "multi_label"
        case topK = "top_k"
        case topKAccuracy = "top_k_accuracy"
        case exactMatch = "exact_match"
        case perClass = "per_class"
        case topConfusions = "top_confusions"
    }

    /// Reads the snake_case keys as written, and also as a decoder converting from
    /// snake_case presents them (the report page's data is read that way).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: EitherCaseKey.self)
        func key(_ k: CodingKeys) -> EitherCaseKey {
            let snake = EitherCaseKey(stringValue: k.rawValue)
            if c.contains(snake) { return snake }
            let parts = k.rawValue.split(separator: "_")
            return EitherCaseKey(stringValue: String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())
        }
        self.init(epoch: try c.decodeIfPresent(Int.self, forKey: key(.epoch)), samples: try c.decode(Int.self, forKey: key(.samples)),
                  failed: try c.decode(Int.self, forKey: key(.failed)), multiLabel: try c.decode(Bool.self, forKey: key(.multiLabel)),
                  accuracy: try c.decode(Double.self, forKey: key(.accuracy)), topK: try c.decodeIfPresent(Int.self, forKey: key(.topK)),
                  topKAccuracy: try c.decodeIfPresent(Double.self, forKey: key(.topKAccuracy)),
                  exactMatch: try c.decodeIfPresent(Double.self, forKey: key(.exactMatch)),
                  perClass: try c.decode([ClassMetrics].self, forKey: key(.perClass)),
                  confusion: try c.decodeIfPresent([[Int]].self, forKey: key(.confusion)),
                  topConfusions: try c.decodeIfPresent([Confusion].self, forKey: key(.topConfusions)))
    }

    struct EitherCaseKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(epoch: Int? = nil, samples: Int, failed: Int, multiLabel: Bool, accuracy: Double, topK: Int?, topKAccuracy: Double?,
                exactMatch: Double?, perClass: [ClassMetrics], confusion: [[Int]]?, topConfusions: [Confusion]? = nil) {
        self.epoch = epoch
        self.samples = samples
        self.failed = failed
        self.multiLabel = multiLabel
        self.accuracy = accuracy
        self.topK = topK
        self.topKAccuracy = topKAccuracy
        self.exactMatch = exactMatch
        self.perClass = perClass
        self.confusion = confusion
        self.topConfusions = topConfusions
    }

    /// The JSON `imgclf evaluate` prints: snake_case keys, sorted.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Attaches class names to the per-class rows.
    public mutating func name(classes names: [String]?) {
        guard let names else { return }
        for i in perClass.indices where perClass[i].index < names.count { perClass[i].name = names[perClass[i].index] }
    }
}
