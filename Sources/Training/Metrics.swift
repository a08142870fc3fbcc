import Foundation
import Models

/// Accuracy as the original algorithm logs it.
///
/// - single-label: the fraction of samples whose most probable class is the label, and
///   optionally the fraction whose label is among the `topK` most probable;
/// - multi-label: the mean over classes of the per-class accuracy at threshold 0.5.
public struct AccuracyMetric: Sendable {
    public let classes: Int
    public let multiLabel: Bool
    public let topK: Int?
    private(set) public var samples = 0
    private var correct = 0
    private var correctTopK = 0
    private var perClassCorrect: [Int]
    private var lossSum = 0.0

    public init(classes: Int, multiLabel: Bool, topK: Int? = nil) {
        self.classes = classes
        self.multiLabel = multiLabel
        self.topK = topK
        perClassCorrect = [Int](repeating: 0, count: multiLabel ? classes : 0)
    }

    public mutating func reset() { self = AccuracyMetric(classes: classes, multiLabel: multiLabel, topK: topK) }

    /// Adds the first `count` samples of a batch: `probabilities` is [batch, classes];
    /// `labels` is [batch] class indices, or [batch, classes] multi-hot. A label outside
    /// those (NaN, out of range) is an error, and the metric is left unchanged.
    public mutating func update(probabilities: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>, count: Int) throws {
        let width = multiLabel ? classes : 1
        guard count >= 0, count * width <= labels.count, count * classes <= probabilities.count else {
            throw TrainingError.badLabel("a batch of \(count) samples has \(labels.count) label values and \(probabilities.count) probabilities for \(classes) classes")
        }
        for i in 0..<count * width {
            if let problem = BatchLabelCheck.problem(labels[i], classes: classes, multiLabel: multiLabel) {
                throw TrainingError.badLabel("sample \(i / width) of a batch has label \(labels[i]); \(problem)")
            }
        }
        for n in 0..<count {
            let row = n * classes
            if multiLabel {
                for c in 0..<classes {
                    let p = probabilities[row + c], y = labels[row + c]
                    if (p >= 0.5) == (y >= 0.5) { perClassCorrect[c] += 1 }
                    let q = Double(min(max(p, 1e-7), 1 - 1e-7))
                    lossSum -= y >= 0.5 ? log(q) : log(1 - q)
                }
                continue
            }
            let label = Int(labels[n])
            let target = probabilities[row + label]
            // Ranked as evaluate and predict rank (ties: lower class first), so the log's
            // accuracy and top-k are the numbers `evaluate` gives for the same outputs.
            let rank = ClassRanking.rank(of: label, in: UnsafeBufferPointer(rebasing: probabilities[row..<(row + classes)]))
            if rank == 0 { correct += 1 }
            if let topK, rank < topK { correctTopK += 1 }
            lossSum -= log(Double(max(target, 1e-12)))
        }
        samples += count
    }

    public var accuracy: Double {
        guard samples > 0 else { return 0 }
        if multiLabel {
            return perClassCorrect.reduce(0.0) { $0 + Double($1) / Double(samples) } / Double(classes)
        }
        return Double(correct) / Double(samples)
    }

    public var topKAccuracy: Double? {
        guard let _ = topK, samples > 0, !multiLabel else { return nil }
        return Double(correctTopK) / Double(samples)
    }

    /// Mean cross-entropy (summed over classes for multi-label), for progress display.
    public var meanLoss: Double { samples > 0 ? lossSum / Double(samples) : 0 }
}
