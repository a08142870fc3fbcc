import Foundation
import Models
import Serving
import Testing

/// Evaluating a model of 100,000 classes (the limit of num_classes): the confusion counts stay
/// sparse (a dense matrix would be 10^10 counts) and the report lists the top confusions.
struct ManyClassesEvaluationTests {
    static let classes = 100_000

    /// Probabilities that put `predicted` first and `runnerUp` second.
    static func probabilities(_ predicted: Int, _ runnerUp: Int) -> [Float] {
        var p = [Float](repeating: 0, count: classes)
        p[runnerUp] = 0.05
        p[predicted] = 0.9
        return p
    }

    /// 50 true classes spread over the range, 6 images each: even ones 4 right and 2 taken for
    /// the next class, odd ones 5 right and 1; class c(0) has 3 more images taken for c(1).
    @Test func aHundredThousandClassesStaySparseWithTopConfusions() throws {
        let c = { (j: Int) in j * 1_997 }
        var e = Evaluation(numClasses: Self.classes, multiLabel: false, k: 5)
        for j in 0..<50 {
            let wrong = j % 2 == 0 ? 2 : 1
            for i in 0..<6 {
                let right = i >= wrong
                e.add(probabilities: Self.probabilities(right ? c(j) : c(j) + 1, right ? c(j) + 1 : c(j)), labels: [Float(c(j))])
            }
        }
        for _ in 0..<3 { e.add(probabilities: Self.probabilities(c(1), c(0)), labels: [Float(c(0))]) }

        #expect(e.samples == 303)
        #expect(e.distinctPairs <= e.samples)
        let r = e.report
        #expect(r.confusion == nil, "no dense matrix above \(EvaluationReport.denseConfusionLimit) classes")
        #expect(r.perClass.count == Self.classes)
        #expect(abs(r.accuracy - Double(4 * 25 + 5 * 25) / 303) < 1e-12)
        #expect(abs(r.topKAccuracy! - 1) < 1e-12, "the true class is always second at worst")
        // c(0): 9 images, 4 right. c(1): predicted 5 times right and 3 times for c(0).
        #expect(r.perClass[c(0)].support == 9 && abs(r.perClass[c(0)].recall - 4.0 / 9) < 1e-12)
        #expect(abs(r.perClass[c(0)].precision - 1) < 1e-12)
        #expect(abs(r.perClass[c(1)].precision - 5.0 / 8) < 1e-12 && abs(r.perClass[c(1)].recall - 5.0 / 6) < 1e-12)
        #expect(r.perClass[c(0) + 1].support == 0 && r.perClass[c(0) + 1].precision == 0)

        let top = try #require(r.topConfusions)
        #expect(top.count == EvaluationReport.topConfusionCount)
        #expect(top.first == EvaluationReport.Confusion(truth: c(0), predicted: c(1), count: 3))
        #expect(Array(top[1...25]) == stride(from: 0, to: 50, by: 2).map { EvaluationReport.Confusion(truth: c($0), predicted: c($0) + 1, count: 2) })
        #expect(top[26] == EvaluationReport.Confusion(truth: c(1), predicted: c(1) + 1, count: 1))
        #expect(!top.contains { $0.truth == $0.predicted })

        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(r)) as? [String: Any]
        #expect(json?["confusion"] == nil)
        #expect((json?["top_confusions"] as? [[String: Int]])?.first == ["truth": c(0), "predicted": c(1), "count": 3])
        let table = EvaluationTable.render(r)
        #expect(table.contains("most frequent confusions") && table.contains("0 -> 1997: 3") && !table.contains("confusion matrix"))
    }

    /// Up to the limit the report keeps its dense matrix; one class more and it does not.
    @Test func theDenseMatrixEndsAtTheLimit() {
        let limit = EvaluationReport.denseConfusionLimit
        for n in [limit, limit + 1] {
            var e = Evaluation(numClasses: n, multiLabel: false, k: 1)
            var p = [Float](repeating: 0, count: n)
            p[n - 1] = 1
            e.add(probabilities: p, labels: [0])
            let r = e.report
            if n == limit {
                #expect(r.confusion?.count == n && r.confusion?[0][n - 1] == 1 && r.topConfusions == nil)
            } else {
                #expect(r.confusion == nil && r.topConfusions == [.init(truth: 0, predicted: n - 1, count: 1)])
            }
        }
    }
}
