import Foundation
import Reports
import Support
import TestFixtures
import Testing

/// `imgclf report` on artifacts MXNet wrote (no training history), a multi-label model, and
/// pages with hostile class names, all looked at in headless Chromium.
@Suite(.serialized, .removesTemporaryFolders)
struct ArtifactReportTests {
    @Test func reportOnMXNetsOwnArtifactEvaluatesItWithoutCurves() throws {
        let output = TemporaryFolders.url("mxnet-report", pathExtension: "html")
        let outcome = try ImgclfBinary.run(["report", SharedFixtures.model("resnet20-1x28x28").path, "--data",
                                            TrainedDigits.digits.appendingPathComponent("validation").path, "--output", output.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        let data = try EmbeddedJSON.object(in: String(contentsOf: output, encoding: .utf8), id: "report-data")
        #expect((data["history"] as? [Any])?.isEmpty == true, "MXNet writes no training history")
        let evaluation = try #require(data["evaluation"] as? [String: Any])
        #expect((evaluation["confusion"] as? [[Int]])?.joined().reduce(0, +) == 1000)
        let view = try ReportTools.viewReport(output, classes: 10)
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.confusion_cells == 100)
    }

    @Test func multiLabelReportShowsPerClassFiguresNotAHeatMap() throws {
        // MXNet's multi-label ResNet-20 on digits labelled by a .lst: each image carries its
        // digit's class and, for odd digits, class 9 too.
        let folder = TemporaryFolders.url("multilabel")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let model = SharedFixtures.model("resnet20-3x28x28-multilabel")
        let shapes = try String(contentsOf: model.appendingPathComponent("model-shapes.json"), encoding: .utf8)
        #expect(shapes.contains("[1, 3, 28, 28]"))
        // Its classifier has 5 outputs (the symbol's num_hidden).
        let classes = 5
        var lines: [String] = []
        var expectedBalance = [Int](repeating: 0, count: classes)
        for digit in 0..<classes {
            let dir = TrainedDigits.digits.appendingPathComponent("validation/\(digit)")
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().prefix(6) {
                var labels = [String](repeating: "0", count: classes)
                labels[digit] = "1"
                if digit % 2 == 1 { labels[classes - 1] = "1" }
                for (c, l) in labels.enumerated() where l == "1" { expectedBalance[c] += 1 }
                lines.append("\(lines.count)\t" + labels.joined(separator: "\t") + "\t\(digit)/\(name)")
            }
        }
        let lst = folder.appendingPathComponent("validation.lst")
        try (lines.joined(separator: "\n") + "\n").write(to: lst, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("report.html")
        let outcome = try ImgclfBinary.run(["report", model.path, "--data", TrainedDigits.digits.appendingPathComponent("validation").path,
                                            "--lst", lst.path, "--output", output.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        let data = try EmbeddedJSON.object(in: String(contentsOf: output, encoding: .utf8), id: "report-data")
        let evaluation = try #require(data["evaluation"] as? [String: Any])
        #expect(evaluation["multi_label"] as? Bool == true && evaluation["samples"] as? Int == lines.count)
        #expect((evaluation["per_class"] as? [Any])?.count == classes)
        #expect((data["mistakes"] as? [Any])?.isEmpty == true)
        #expect((data["class_balance"] as? [String: Any])?["validation"] as? [Int] == expectedBalance)
        let view = try ReportTools.viewReport(output, classes: classes, multiLabel: true)
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.confusion_cells == 0, "no heat map for multi-label")
    }

    @Test func classNamesThatLookLikeMarkupStayText() throws {
        let names = ["</script><script>document.title='pwned'</script>", "a & b", "\"quoted\"", "<img src=x onerror=alert(1)>"]
        // The page's data as ReportData writes it (snake_case), built as JSON here.
        let perClass: [[String: Any]] = names.enumerated().map {
            ["index": $0.offset, "name": $0.element, "precision": 0, "recall": 0, "f1": 0, "support": 1]
        }
        let data: [String: Any] = [
            "title": "Training report", "generated": "2026-12-03T00:00:00Z", "source": "</script>",
            "model": ["num_layers": 18, "image_shape": [3, 224, 224], "num_classes": names.count, "multi_label": false,
                      "classes": names, "epoch": 0],
            "hyperparameters": ["learning_rate": "</script>"], "top_k": 3, "best_epoch": 0,
            "history": [["epoch": 0, "train_accuracy": 0.5, "validation_accuracy": 0.25, "train_loss": "NaN",
                         "learning_rate": 0.1, "seconds": 3]],
            "class_balance": ["train": [1, 2, 3, 4]],
            "evaluation": ["epoch": 0, "samples": 4, "failed": 0, "multi_label": false, "accuracy": 0.25, "top_k": 3,
                           "top_k_accuracy": 1, "per_class": perClass,
                           "confusion": [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]],
            "mistakes": [] as [Any],
        ]
        // It decodes as the report's data, and the page is rendered from what that encodes.
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let report = try decoder.decode(ReportData.self, from: JSONSerialization.data(withJSONObject: data))
        let page = EmbeddedPage.report.render(json: try report.json())
        let start = try #require(page.range(of: "<script id=\"report-data\" type=\"application/json\">"))
        let closing = try #require(page.range(of: "</script>", range: start.upperBound..<page.endIndex))
        let embedded = page[start.upperBound..<closing.lowerBound]
        #expect(embedded.contains("pwned"), "the names are inside the data element, which no name can close")
        let file = TemporaryFolders.url("hostile", pathExtension: "html")
        try page.write(to: file, atomically: true, encoding: .utf8)
        let view = try ReportTools.viewReport(file, classes: names.count)
        #expect(view.title != "pwned")
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.confusion_cells == 16)
    }

    @Test func aMissingModelOrBadDataIsNamed() throws {
        let missing = try ImgclfBinary.run(["report", "/nonexistent/model.tar.gz"])
        #expect(missing.status != 0 && missing.output.contains("/nonexistent/model.tar.gz"), "\(missing.output)")
        #expect(!missing.output.contains("Fatal error"))
        let badData = try ImgclfBinary.run(["report", SharedFixtures.model("resnet20-1x28x28").path, "--data", "/nonexistent/validation"])
        #expect(badData.status != 0 && badData.output.contains("/nonexistent/validation"), "\(badData.output)")

        // A training history that is not one: named, not a crash.
        let folder = TemporaryFolders.url("bad-history")
        try FileManager.default.copyItem(at: SharedFixtures.model("resnet20-1x28x28"), to: folder)
        try Data("{\"epoch\": 1".utf8).write(to: folder.appendingPathComponent("training-history.json"))
        let bad = try ImgclfBinary.run(["report", folder.path, "--output", folder.appendingPathComponent("r.html").path])
        #expect(bad.status != 0 && bad.output.contains("training-history.json"), "\(bad.output)")
    }
}
