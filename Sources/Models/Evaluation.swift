/// Accuracy, top-k accuracy, per-class precision and recall and the confusions of a model's
/// predictions against labels, accumulated one image at a time: the one count behind
/// `imgclf evaluate`, the report's evaluation and the training log's accuracy.
///
/// Single-label: the prediction is the class ``ClassRanking`` ranks first, and an image is a
/// top-k hit when its label ranks among the first `k`. Multi-label: every class is decided
/// at probability 0.5, and accuracy is the mean over classes of per-class accuracy (the
/// training log's multi-label accuracy).
///
/// Memory grows with the classes and the images, never with classes squared: the confusion
/// counts are kept sparse, one entry per (true, predicted) pair seen, so a 100,000-class model
/// is evaluated in a few MB. The report carries a dense matrix only up to
/// `EvaluationReport.denseConfusionLimit` classes.
public struct Evaluation: Sendable {
    public let numClasses: Int
    public let multiLabel: Bool
    public let k: Int
    /// Whether the (true, predicted) pairs are kept; the training log needs only the counts.
    public let tracksConfusions: Bool
    /// Single-label: images per (true, predicted) pair, only the pairs seen.
    private var pairs: [ConfusionPair: Int] = [:]
    /// Single-label: images per true class, per predicted class, and right per class.
    private var actual: [Int], predicted: [Int], hits: [Int]
    /// Multi-label: per class [tp, fp, fn, tn].
    private var labelCounts: [[Int]]
    public private(set) var samples = 0
    /// Single-label: images whose label ranks first; multi-label: images whose every class was decided right.
    public private(set) var correct = 0
    public private(set) var correctTopK = 0
    /// Images that could not be classified (unreadable or undecodable).
    public private(set) var failed = 0

    /// The (true, predicted) pairs counted so far: at most one per image.
    public var distinctPairs: Int { pairs.count }

    public init(numClasses: Int, multiLabel: Bool, k: Int = 5, tracksConfusions: Bool = true) {
        self.numClasses = numClasses
        self.multiLabel = multiLabel
        self.k = min(max(1, k), numClasses)
        self.tracksConfusions = tracksConfusions
        let perClass = multiLabel ? 0 : numClasses
        actual = Array(repeating: 0, count: perClass)
        predicted = Array(repeating: 0, count: perClass)
        hits = Array(repeating: 0, count: perClass)
        labelCounts = multiLabel ? Array(repeating: [0, 0, 0, 0], count: numClasses) : []
    }

    /// Adds one image: its probabilities and its label(s) (a class index, or a multi-hot vector).
    public mutating func add(probabilities p: [Float], labels: [Float]) {
        p.withUnsafeBufferPointer { p in labels.withUnsafeBufferPointer { add(probabilities: p, labels: $0) } }
    }

    /// Adds one image from a row of a batch. A single-label image whose label is no class
    /// index (out of range, not finite) counts as failed.
    public mutating func add(probabilities p: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>) {
        samples += 1
        if multiLabel {
            var right = 0
            for c in 0..<numClasses {
                let truth = c < labels.count && labels[c] >= 0.5, predicted = c < p.count && p[c] >= 0.5
                labelCounts[c][truth ? (predicted ? 0 : 2) : (predicted ? 1 : 3)] += 1
                if truth == predicted { right += 1 }
            }
            if right == numClasses { correct += 1 }
            return
        }
        // Whole class indices as a Float label truncates them (the data sources have checked them).
        guard let label = labels.first, label > -1, label < Float(numClasses), let first = Self.best(p), first < numClasses else {
            failed += 1; samples -= 1; return
        }
        let truth = Int(label)
        if tracksConfusions { pairs[ConfusionPair(truth: truth, predicted: first), default: 0] += 1 }
        actual[truth] += 1
        predicted[first] += 1
        if first == truth { correct += 1; hits[truth] += 1 }
        if truth < p.count, ClassRanking.rank(of: truth, in: p) < k { correctTopK += 1 }
    }

    /// Counts an image that could not be classified.
    public mutating func addFailure() { failed += 1 }

    /// The class ranked first in `p` (nil for an empty row).
    private static func best(_ p: UnsafeBufferPointer<Float>) -> Int? {
        guard !p.isEmpty else { return nil }
        var best = 0
        for c in 1..<p.count where ClassRanking.ranksAbove(p[c], c, p[best], best) { best = c }
        return best
    }

    /// Single-label: the share of images whose label ranks first. Multi-label: the mean over
    /// classes of the share of images whose class was decided right.
    public var accuracy: Double {
        guard multiLabel else { return Self.ratio(correct, samples) }
        var sum = 0.0
        for counts in labelCounts { sum += Self.ratio(counts[0] + counts[3], samples) }
        return numClasses > 0 ? sum / Double(numClasses) : 0
    }

    /// Single-label: the share of images whose label ranks among the first `k`.
    public var topKAccuracy: Double { Self.ratio(correctTopK, samples) }

    public var report: EvaluationReport {
        var perClass: [EvaluationReport.ClassMetrics] = []
        perClass.reserveCapacity(numClasses)
        var confusion: [[Int]]?
        var top: [EvaluationReport.Confusion]?
        if multiLabel {
            for c in 0..<numClasses {
                let tp = labelCounts[c][0], fp = labelCounts[c][1], fn = labelCounts[c][2]
                perClass.append(.init(index: c, precision: Self.ratio(tp, tp + fp), recall: Self.ratio(tp, tp + fn), support: tp + fn))
            }
            confusion = labelCounts
        } else {
            for c in 0..<numClasses {
                perClass.append(.init(index: c, precision: Self.ratio(hits[c], predicted[c]), recall: Self.ratio(hits[c], actual[c]),
                                      support: actual[c]))
            }
            if numClasses <= EvaluationReport.denseConfusionLimit {
                var dense = Array(repeating: Array(repeating: 0, count: numClasses), count: numClasses)
                for (pair, n) in pairs { dense[pair.truth][pair.predicted] = n }
                confusion = dense
            } else {
                top = topConfusions(EvaluationReport.topConfusionCount)
            }
        }
        return EvaluationReport(samples: samples, failed: failed, multiLabel: multiLabel, accuracy: accuracy,
                                topK: multiLabel ? nil : k, topKAccuracy: multiLabel ? nil : topKAccuracy,
                                exactMatch: multiLabel ? Self.ratio(correct, samples) : nil,
                                perClass: perClass, confusion: confusion, topConfusions: top)
    }

    /// The `n` most frequent off-diagonal pairs, most frequent first (ties by true, then predicted class).
    public func topConfusions(_ n: Int) -> [EvaluationReport.Confusion] {
        pairs.lazy.filter { $0.key.truth != $0.key.predicted }
            .map { EvaluationReport.Confusion(truth: $0.key.truth, predicted: $0.key.predicted, count: $0.value) }
            .sorted { ($0.count, $1.truth, $1.predicted) > ($1.count, $0.truth, $0.predicted) }
            .prefix(max(0, n)).map { $0 }
    }

    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}

/// A true class and the class predicted for it.
struct ConfusionPair: Hashable, Sendable {
    var truth: Int
    var predicted: Int
}
