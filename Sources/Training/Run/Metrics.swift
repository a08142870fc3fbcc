import ImageData
import Foundation
import Models

/// Accuracy as the original algorithm logs it, counted by ``Evaluation`` (the counts
/// `evaluate` gives for the same outputs), with the mean loss for the progress line.
///
/// - single-label: the fraction of samples whose most probable class is the label, and
///   optionally the fraction whose label is among the `topK` most probable;
/// - multi-label: the mean over classes of the per-class accuracy at threshold 0.5.
public struct AccuracyMetric: Sendable {
    public let classes: Int
    public let multiLabel: Bool
    public let topK: Int?
    private var counts: Evaluation
    private var lossSum = 0.0

    public var samples: Int { counts.samples }

    public init(classes: Int, multiLabel: Bool, topK: Int? = nil) {
        self.classes = classes
        self.multiLabel = multiLabel
        self.topK = topK
        counts = Evaluation(numClasses: classes, multiLabel: multiLabel, k: topK ?? 1, tracksConfusions: false)
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
            if let problem = LabelCheck.valueProblem(labels[i], numClasses: classes, multiLabel: multiLabel) {
                throw TrainingError.badLabel("sample \(i / width) of a batch: \(problem)")
            }
        }
        for n in 0..<count {
            let row = UnsafeBufferPointer(rebasing: probabilities[(n * classes)..<((n + 1) * classes)])
            let label = UnsafeBufferPointer(rebasing: labels[(n * width)..<((n + 1) * width)])
            counts.add(probabilities: row, labels: label)
            if multiLabel {
                for c in 0..<classes {
                    let q = Double(min(max(row[c], 1e-7), 1 - 1e-7))
                    lossSum -= label[c] >= 0.5 ? log(q) : log(1 - q)
                }
            } else {
                lossSum -= log(Double(max(row[Int(label[0])], 1e-12)))
            }
        }
    }

    public var accuracy: Double { counts.accuracy }

    public var topKAccuracy: Double? {
        guard let _ = topK, samples > 0, !multiLabel else { return nil }
        return counts.topKAccuracy
    }

    /// Mean cross-entropy (summed over classes for multi-label), for progress display.
    public var meanLoss: Double { samples > 0 ? lossSum / Double(samples) : 0 }
}
