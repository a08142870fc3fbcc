/// What `imgclf evaluate` prints (and the report's evaluation is built from).
public struct EvaluationReport: Sendable, Codable, Equatable {
    /// Above this many classes the report carries no dense confusion matrix (the pages draw
    /// one cell per pair, and the JSON would hold classes squared numbers), only `topConfusions`.
    public static let denseConfusionLimit = 1000
    /// How many of the most frequent confusions a report without a dense matrix lists.
    public static let topConfusionCount = 50

    public struct ClassMetrics: Sendable, Codable, Equatable {
        public var index: Int
        public var name: String?
        public var precision: Double
        public var recall: Double
        /// Images whose label is this class.
        public var support: Int

        public init(index: Int, name: String? = nil, precision: Double, recall: Double, support: Int) {
            self.index = index
            self.name = name
            self.precision = precision
            self.recall = recall
            self.support = support
        }
    }

    /// Images of class `truth` predicted as `predicted` (truth != predicted).
    public struct Confusion: Sendable, Codable, Equatable {
        public var truth: Int
        public var predicted: Int
        public var count: Int

        public init(truth: Int, predicted: Int, count: Int) {
            self.truth = truth
            self.predicted = predicted
            self.count = count
        }
    }

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
        case samples, failed, accuracy, confusion
        case multiLabel = "multi_label"
        case topK = "top_k"
        case topKAccuracy = "top_k_accuracy"
        case exactMatch = "exact_match"
        case perClass = "per_class"
        case topConfusions = "top_confusions"
    }

    public init(samples: Int, failed: Int, multiLabel: Bool, accuracy: Double, topK: Int?, topKAccuracy: Double?,
                exactMatch: Double?, perClass: [ClassMetrics], confusion: [[Int]]?, topConfusions: [Confusion]? = nil) {
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

    /// Attaches class names to the per-class rows.
    public mutating func name(classes names: [String]?) {
        guard let names else { return }
        for i in perClass.indices where perClass[i].index < names.count { perClass[i].name = names[perClass[i].index] }
    }
}
