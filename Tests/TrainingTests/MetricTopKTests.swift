import Models
import Testing
@testable import Training

/// Top-k as MXNet's TopKAccuracy counts it: exactly k classes per sample, however many tie.
struct MetricTopKTests {
    @Test func equalProbabilitiesCountKClassesNotAll() throws {
        // A collapsed model: every class 0.1. The log once said top-3 = 1.0 here while
        // evaluate said 0.3; ranked with ties broken by class index, labels 0, 1, 2 are hits.
        var metric = AccuracyMetric(classes: 10, multiLabel: false, topK: 3)
        let probabilities = [Float](repeating: 0.1, count: 100)
        let labels = (0..<10).map(Float.init)
        try probabilities.withUnsafeBufferPointer { p in
            try labels.withUnsafeBufferPointer { try metric.update(probabilities: p, labels: $0, count: 10) }
        }
        #expect(metric.topKAccuracy == 0.3)
        #expect(metric.accuracy == 0.1)
    }

    @Test func aNaNOutputIsNeverAHit() throws {
        var metric = AccuracyMetric(classes: 3, multiLabel: false, topK: 2)
        let probabilities: [Float] = [.nan, 0.2, 0.1,  0.5, .nan, 0.5]
        let labels: [Float] = [0, 1]
        try probabilities.withUnsafeBufferPointer { p in
            try labels.withUnsafeBufferPointer { try metric.update(probabilities: p, labels: $0, count: 2) }
        }
        #expect(metric.accuracy == 0)
        #expect(metric.topKAccuracy == 0)
        #expect(ClassRanking.top([.nan, 0.2, 0.1], k: 3).map(\.index) == [1, 2, 0])
    }

    @Test func theLogCountsWhatTheReportedTopKHolds() throws {
        // Rows with ties at every rank: the metric's hits are exactly the samples whose label
        // is among the k classes that predict and evaluate report.
        var generator = SystemRandomNumberGenerator()
        let classes = 6, rows = 400, k = 2
        var probabilities: [Float] = []
        var labels: [Float] = []
        var expectedTop1 = 0, expectedTopK = 0
        for _ in 0..<rows {
            let row = (0..<classes).map { _ in Float(Int.random(in: 0...3, using: &generator)) / 4 }
            let label = Int.random(in: 0..<classes, using: &generator)
            let top = ClassRanking.top(row, k: k).map(\.index)
            if top[0] == label { expectedTop1 += 1 }
            if top.contains(label) { expectedTopK += 1 }
            probabilities += row
            labels.append(Float(label))
        }
        var metric = AccuracyMetric(classes: classes, multiLabel: false, topK: k)
        try probabilities.withUnsafeBufferPointer { p in
            try labels.withUnsafeBufferPointer { try metric.update(probabilities: p, labels: $0, count: rows) }
        }
        #expect(metric.accuracy == Double(expectedTop1) / Double(rows))
        #expect(metric.topKAccuracy == Double(expectedTopK) / Double(rows))
    }
}
