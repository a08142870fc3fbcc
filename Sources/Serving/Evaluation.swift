/// Accuracy, top-k accuracy, per-class precision and recall and the confusion matrix of a
/// model's predictions against labels, accumulated one image at a time.
///
/// Single-label: the prediction is the most probable class. Multi-label: every class is
/// decided at probability 0.5, and accuracy is the mean over classes of per-class accuracy
/// (the training log's multi-label accuracy).
public struct Evaluation: Sendable {
    public let numClasses: Int
    public let multiLabel: Bool
    public let k: Int
    /// Single-label: counts[true][predicted]. Multi-label: per class [tp, fp, fn, tn].
    public private(set) var confusion: [[Int]]
    public private(set) var samples = 0
    public private(set) var correct = 0
    public private(set) var correctTopK = 0
    /// Images that could not be classified (unreadable or undecodable).
    public private(set) var failed = 0

    public init(numClasses: Int, multiLabel: Bool, k: Int = 5) {
        self.numClasses = numClasses
        self.multiLabel = multiLabel
        self.k = min(max(1, k), numClasses)
        confusion = multiLabel ? Array(repeating: [0, 0, 0, 0], count: numClasses)
                               : Array(repeating: Array(repeating: 0, count: numClasses), count: numClasses)
    }

    /// Adds one image: its probabilities and its label(s) (a class index, or a multi-hot vector).
    public mutating func add(probabilities p: [Float], labels: [Float]) {
        samples += 1
        if multiLabel {
            var right = 0
            for c in 0..<numClasses {
                let truth = c < labels.count && labels[c] >= 0.5, predicted = p[c] >= 0.5
                confusion[c][truth ? (predicted ? 0 : 2) : (predicted ? 1 : 3)] += 1
                if truth == predicted { right += 1 }
            }
            if right == numClasses { correct += 1 }
            return
        }
        let truth = Int(labels.first ?? -1)
        guard truth >= 0 && truth < numClasses else { failed += 1; samples -= 1; return }
        let top = PredictionOutput.topK(p, k: k)
        confusion[truth][top[0].index] += 1
        if top[0].index == truth { correct += 1 }
        if top.contains(where: { $0.index == truth }) { correctTopK += 1 }
    }

    /// Counts an image that could not be classified.
    public mutating func addFailure() { failed += 1 }

    public var report: EvaluationReport {
        var perClass: [EvaluationReport.ClassMetrics] = []
        var accuracy = 0.0
        if multiLabel {
            var sumAccuracy = 0.0
            for c in 0..<numClasses {
                let tp = confusion[c][0], fp = confusion[c][1], fn = confusion[c][2], tn = confusion[c][3]
                perClass.append(.init(index: c, precision: Self.ratio(tp, tp + fp), recall: Self.ratio(tp, tp + fn), support: tp + fn))
                sumAccuracy += Self.ratio(tp + tn, samples)
            }
            accuracy = numClasses > 0 ? sumAccuracy / Double(numClasses) : 0
        } else {
            for c in 0..<numClasses {
                let tp = confusion[c][c]
                let predicted = (0..<numClasses).reduce(0) { $0 + confusion[$1][c] }
                let actual = confusion[c].reduce(0, +)
                perClass.append(.init(index: c, precision: Self.ratio(tp, predicted), recall: Self.ratio(tp, actual), support: actual))
            }
            accuracy = Self.ratio(correct, samples)
        }
        return EvaluationReport(samples: samples, failed: failed, multiLabel: multiLabel, accuracy: accuracy,
                                topK: multiLabel ? nil : k, topKAccuracy: multiLabel ? nil : Self.ratio(correctTopK, samples),
                                exactMatch: multiLabel ? Self.ratio(correct, samples) : nil,
                                perClass: perClass, confusion: confusion)
    }

    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}

/// What `imgclf evaluate` prints.
public struct EvaluationReport: Sendable, Codable, Equatable {
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

    public var samples: Int
    public var failed: Int
    public var multiLabel: Bool
    public var accuracy: Double
    public var topK: Int?
    public var topKAccuracy: Double?
    /// Multi-label: images whose every class was decided right.
    public var exactMatch: Double?
    public var perClass: [ClassMetrics]
    /// Single-label: rows are true classes, columns predicted. Multi-label: per class
    /// [true positives, false positives, false negatives, true negatives].
    public var confusion: [[Int]]

    enum CodingKeys: String, CodingKey {
        case samples, failed, accuracy, confusion
        case multiLabel = "multi_label"
        case topK = "top_k"
        case topKAccuracy = "top_k_accuracy"
        case exactMatch = "exact_match"
        case perClass = "per_class"
    }

    /// Attaches class names to the per-class rows.
    public mutating func name(classes names: [String]?) {
        guard let names else { return }
        for i in perClass.indices where perClass[i].index < names.count { perClass[i].name = names[perClass[i].index] }
    }
}
