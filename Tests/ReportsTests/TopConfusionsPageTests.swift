import Foundation
import Models
import Reports
import Serving
import Support
import TestFixtures
import Testing

/// An evaluation of more classes than a confusion matrix can show (EvaluationReport.denseConfusionLimit):
/// the page lists the most frequent confusions instead of a heat map, in headless Chromium.
@Suite(.serialized, .removesTemporaryFolders)
struct TopConfusionsPageTests {
    @Test func manyClassesShowTopConfusionsAndNoHeatMap() throws {
        let n = EvaluationReport.denseConfusionLimit + 500
        var e = Evaluation(numClasses: n, multiLabel: false, k: 3)
        for c in 0..<n {
            var p = [Float](repeating: 0, count: n)
            // Class 7 is taken for class 8 three times out of four; every other class is right.
            let predicted = c == 7 ? 8 : c
            p[predicted] = 0.9
            p[c == 7 ? 7 : (c + 1) % n] = 0.05
            e.add(probabilities: p, labels: [Float(c)])
            if c == 7 { for _ in 0..<2 { e.add(probabilities: p, labels: [Float(c)]) } }
            if c == 7 { var q = [Float](repeating: 0, count: n); q[7] = 1; e.add(probabilities: q, labels: [7]) }
        }
        var evaluation = e.report
        let names = (0..<n).map { "class-\($0)" }
        evaluation.name(classes: names)
        #expect(evaluation.confusion == nil && evaluation.topConfusions == [.init(truth: 7, predicted: 8, count: 3)])

        let perClass: [[String: Any]] = evaluation.perClass.map {
            ["index": $0.index, "name": $0.name ?? "", "precision": $0.precision, "recall": $0.recall, "f1": 0, "support": $0.support]
        }
        let data: [String: Any] = [
            "title": "Many classes", "generated": "2026-12-06T00:00:00Z", "source": "synthetic",
            "model": ["num_layers": 18, "image_shape": [3, 224, 224], "num_classes": n, "multi_label": false, "classes": names],
            "history": [] as [Any],
            "evaluation": ["samples": evaluation.samples, "failed": 0, "multi_label": false, "accuracy": evaluation.accuracy,
                           "top_k": 3, "top_k_accuracy": evaluation.topKAccuracy ?? 0, "per_class": perClass,
                           "top_confusions": evaluation.topConfusions!.map { ["truth": $0.truth, "predicted": $0.predicted, "count": $0.count] }],
            "mistakes": [] as [Any],
        ]
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let report = try decoder.decode(ReportData.self, from: JSONSerialization.data(withJSONObject: data))
        let json = try report.json()
        let embedded = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let part = try #require(embedded["evaluation"] as? [String: Any])
        #expect(part["confusion"] == nil && (part["top_confusions"] as? [[String: Int]])?.count == 1)

        let file = TemporaryFolders.url("top-confusions", pathExtension: "html")
        try EmbeddedPage.report.render(json: json).write(to: file, atomically: true, encoding: .utf8)
        let view = try ReportTools.viewReport(file, classes: n)
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.confusion_cells == 0)
        #expect(view.text.contains("Most frequent confusions") && view.text.contains("Too many classes"), "\(view.text.prefix(2000))")
        #expect(view.text.contains("class-7") && view.text.contains("class-8") && view.text.contains("75.0%"), "\(view.text.prefix(2000))")
    }
}
