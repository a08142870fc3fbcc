import ImageData
import Models
import Support
import Testing
@testable import Training

/// The training log and `evaluate` count with one accumulator (``Evaluation``), and judge
/// labels with the data's one rule (``LabelCheck``), so their figures and messages agree.
struct OneScoringTests {
    /// Random outputs (with ties and a NaN) scored by the log's metric and by evaluate's count.
    @Test(arguments: [false, true])
    func theLogAndEvaluateGiveTheSameFigures(multiLabel: Bool) throws {
        let classes = 7, samples = 60
        var rng = SplitMix64(state: multiLabel ? 2 : 1)
        var probabilities: [Float] = (0..<(classes * samples)).map { _ in Float(rng.next() % 5) / 4 }
        probabilities[9] = .nan
        let labels: [Float] = multiLabel
            ? (0..<(classes * samples)).map { _ in Float(rng.next() % 2) }
            : (0..<samples).map { _ in Float(rng.next() % UInt64(classes)) }
        var metric = AccuracyMetric(classes: classes, multiLabel: multiLabel, topK: multiLabel ? nil : 3)
        try probabilities.withUnsafeBufferPointer { p in
            try labels.withUnsafeBufferPointer { try metric.update(probabilities: p, labels: $0, count: samples) }
        }
        var evaluation = Evaluation(numClasses: classes, multiLabel: multiLabel, k: 3)
        let width = multiLabel ? classes : 1
        for n in 0..<samples {
            evaluation.add(probabilities: Array(probabilities[(n * classes)..<((n + 1) * classes)]),
                           labels: Array(labels[(n * width)..<((n + 1) * width)]))
        }
        let report = evaluation.report
        #expect(metric.samples == samples && report.samples == samples)
        #expect(metric.accuracy == report.accuracy)
        #expect(metric.topKAccuracy == report.topKAccuracy)
    }

    /// A bad label in a batch is named as the data's readers name it: the value and the range.
    @Test func aBadBatchLabelNamesTheValueAndTheRange() throws {
        #expect(LabelCheck.valueProblem(10, numClasses: 10, multiLabel: false)
                == "label 10 is out of range: num_classes is 10, so labels must be in [0, 10)")
        #expect(LabelCheck.valueProblem(2.5, numClasses: 10, multiLabel: false)?.contains("not an integer class index") == true)
        #expect(LabelCheck.valueProblem(.nan, numClasses: 10, multiLabel: false)?.contains("not a finite number") == true)
        #expect(LabelCheck.valueProblem(2, numClasses: 10, multiLabel: true) == "multi-hot label value 2 is not 0 or 1")
        #expect(LabelCheck.valueProblem(9, numClasses: 10, multiLabel: false) == nil)
        #expect(LabelCheck.valueProblem(1, numClasses: 10, multiLabel: true) == nil)

        let labels: [Float] = [3, 12]
        do {
            try labels.withUnsafeBufferPointer {
                try BatchLabelCheck.check($0, rows: 2, classes: 10, multiLabel: false, channel: "train", sampleIndices: [40, 41])
            }
            Issue.record("label 12 of 10 classes was accepted")
        } catch {
            #expect("\(error)" == "invalid label: the train channel's sample 41: label 12 is out of range: num_classes is 10, so labels must be in [0, 10)")
        }
    }
}
