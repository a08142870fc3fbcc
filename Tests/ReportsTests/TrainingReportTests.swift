import Foundation
import TestFixtures
import Testing

/// report.html as a training run leaves it, read as data and looked at in headless Chromium.
@Suite(.serialized, .removesTemporaryFolders)
struct TrainingReportTests {
    @Test func trainingWritesAReportBesideTheModel() throws {
        let run = try TrainedDigits.run.get()
        let file = run.model.appendingPathComponent("report.html")
        let page = try String(contentsOf: file, encoding: .utf8)
        #expect(run.output.contains("Report written to \(file.path)"), "\(run.output)")
        #expect(!page.contains("__IMGCLF_REPORT_DATA__"))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http"), "the page loads nothing from a network")
        let data = try EmbeddedJSON.object(in: page, id: "report-data")

        // The curves: one entry per epoch, with the figures training-history.json holds.
        let history = try #require(data["history"] as? [[String: Any]])
        let recorded = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: run.model.appendingPathComponent("training-history.json"))) as? [[String: Any]])
        #expect(history.count == TrainedDigits.epochs && recorded.count == TrainedDigits.epochs)
        for (shown, kept) in zip(history, recorded) {
            #expect(shown["validation_accuracy"] as? Double == kept["validationAccuracy"] as? Double)
            #expect(shown["train_loss"] as? Double == kept["trainLoss"] as? Double)
            #expect((shown["images_per_second"] as? Double ?? 0) > 0)
            #expect(shown["train_top_k_accuracy"] is Double, "top_k=3 was asked")
        }
        let hyperparameters = try #require(data["hyperparameters"] as? [String: String])
        #expect(hyperparameters["num_layers"] == "8" && hyperparameters["top_k"] == "3")

        // Class balance: what the file system counts in each class folder.
        let balance = try #require(data["class_balance"] as? [String: [Int]])
        #expect(balance["train"] == (try TrainedDigits.filesPerClass("train")))
        #expect(balance["validation"] == (try TrainedDigits.filesPerClass("validation")))

        // The evaluation: every validation digit once, at the best epoch's checkpoint.
        let evaluation = try #require(data["evaluation"] as? [String: Any])
        let confusion = try #require(evaluation["confusion"] as? [[Int]])
        #expect(confusion.count == 10 && confusion.allSatisfy { $0.count == 10 })
        #expect(confusion.joined().reduce(0, +) == 1000)
        let best = try #require(data["best_epoch"] as? Int)
        #expect(evaluation["epoch"] as? Int == best)
        let accuracy = try #require(evaluation["accuracy"] as? Double)
        let diagonal = (0..<10).reduce(0) { $0 + confusion[$1][$1] }
        #expect(abs(accuracy - Double(diagonal) / 1000) < 1e-12)
        let bestRecord = try #require(history.first { $0["epoch"] as? Int == best })
        #expect(abs(accuracy - (bestRecord["validation_accuracy"] as? Double ?? -1)) < 0.005,
                "the checkpoint's accuracy is what validation logged for its epoch")
        let perClass = try #require(evaluation["per_class"] as? [[String: Any]])
        for (c, figures) in perClass.enumerated() {
            let p = figures["precision"] as? Double ?? -1, r = figures["recall"] as? Double ?? -1, f1 = figures["f1"] as? Double ?? -1
            #expect(abs(r - Double(confusion[c][c]) / Double(max(1, confusion[c].reduce(0, +)))) < 1e-12)
            #expect(p + r == 0 ? f1 == 0 : abs(f1 - 2 * p * r / (p + r)) < 1e-12)
        }

        // The most confident mistakes: wrong, each with a thumbnail and its top 3.
        let mistakes = try #require(data["mistakes"] as? [[String: Any]])
        let wrong = 1000 - diagonal
        #expect(mistakes.count == min(24, wrong))
        var previous = 1.0
        for mistake in mistakes {
            let top = try #require(mistake["top"] as? [[String: Any]])
            let first = try #require(top.first?["probability"] as? Double)
            #expect(top.count == 3 && top.first?["class"] as? String != mistake["truth"] as? String)
            #expect(first <= previous, "most confident first")
            previous = first
            #expect((mistake["image"] as? String)?.hasPrefix("data:image/png;base64,") == true)
        }

        // What a person sees: the charts drew, the heat map has a cell per pair, no console errors.
        let view = try ReportTools.viewReport(file, classes: 10, screenshot: "training-report.png")
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.svg_paths >= 4, "curves of accuracy, loss, learning rate and speed")
        #expect(view.confusion_cells == 100)
        #expect(view.mistakes == mistakes.count)
    }

    @Test func tensorBoardReadsTheScalarsTrainingLogged() throws {
        let run = try TrainedDigits.run.get()
        let files = try FileManager.default.contentsOfDirectory(atPath: run.tensorboard.path)
        #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents."), "\(files)")
        let read = try ReportTools.scalars(in: run.tensorboard)
        let recorded = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: run.model.appendingPathComponent("training-history.json"))) as? [[String: Any]])
        for (tag, key) in [("train/accuracy", "trainAccuracy"), ("validation/accuracy", "validationAccuracy"),
                           ("train/loss", "trainLoss"), ("learning_rate", "learningRate"), ("epoch/seconds", "seconds"),
                           ("train/top_k_accuracy", "trainTopKAccuracy"), ("validation/top_k_accuracy", "validationTopKAccuracy"),
                           ("epoch/images_per_second", "imagesPerSecond")] {
            let events = try #require(read.scalars[tag], "\(tag) missing from \(read.tags)")
            #expect(events.map { Int($0[0]) } == Array(0..<TrainedDigits.epochs), "\(tag) steps")
            for (event, record) in zip(events, recorded) {
                let expected = try #require(record[key] as? Double, "\(key)")
                // Scalars are float32 in TensorBoard's format.
                #expect(abs(event[1] - Double(Float(expected))) <= 1e-6 * max(1, abs(expected)), "\(tag): \(event[1]) vs \(expected)")
            }
        }
        // Batch scalars every 20 batches, stepped by updates: 62 or 63 batches an epoch (4000 / 64), 3 events each.
        let batchLoss = try #require(read.scalars["batch/loss"], "\(read.tags)")
        let steps = batchLoss.map { Int($0[0]) }
        try #require(steps.count == 6, "\(steps)")
        #expect(Array(steps.prefix(3)) == [20, 40, 60], "\(steps)")
        let perEpoch = steps[3] - 20
        #expect((62...63).contains(perEpoch) && Array(steps.suffix(3)) == [20, 40, 60].map { $0 + perEpoch }, "\(steps)")
        #expect(batchLoss.allSatisfy { $0[1].isFinite && $0[1] > 0 })
    }

    @Test func reportCommandRebuildsTheSameEvaluationFromTheArtifact() throws {
        let run = try TrainedDigits.run.get()
        let original = try EmbeddedJSON.object(in: String(contentsOf: run.model.appendingPathComponent("report.html"), encoding: .utf8), id: "report-data")
        let best = try #require(original["best_epoch"] as? Int)
        let rebuilt = TemporaryFolders.url("rebuilt", pathExtension: "html")
        let outcome = try ImgclfBinary.run(["report", run.model.path, "--data", TrainedDigits.digits.appendingPathComponent("validation").path,
                                            "--epoch", String(best + 1), "--top-k", "3", "--output", rebuilt.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        let data = try EmbeddedJSON.object(in: String(contentsOf: rebuilt, encoding: .utf8), id: "report-data")
        let a = try #require(original["evaluation"] as? [String: Any]), b = try #require(data["evaluation"] as? [String: Any])
        #expect(a["confusion"] as? [[Int]] == b["confusion"] as? [[Int]])
        #expect((data["history"] as? [Any])?.count == TrainedDigits.epochs)
        #expect((data["class_balance"] as? [String: Any])?["train"] is NSNull || (data["class_balance"] as? [String: Any])?["train"] == nil,
                "no --train-data: the training balance is unknown")
    }

    @Test func evaluateWritesTheEvaluationPartAsAPage() throws {
        let run = try TrainedDigits.run.get()
        let html = TemporaryFolders.url("evaluation", pathExtension: "html")
        let outcome = try ImgclfBinary.run(["evaluate", "--model", run.model.path, "--data",
                                            TrainedDigits.digits.appendingPathComponent("validation").path, "--html", html.path, "--json"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let printed = try #require(outcome.output.split(separator: "\n").last.flatMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        })
        let data = try EmbeddedJSON.object(in: String(contentsOf: html, encoding: .utf8), id: "report-data")
        let evaluation = try #require(data["evaluation"] as? [String: Any])
        #expect(evaluation["confusion"] as? [[Int]] == printed["confusion"] as? [[Int]])
        #expect(evaluation["accuracy"] as? Double == printed["accuracy"] as? Double)
        #expect((data["history"] as? [Any])?.isEmpty == true && data["hyperparameters"] == nil, "the evaluation part only")
        let view = try ReportTools.viewReport(html, classes: 10, screenshot: "evaluation-report.png")
        #expect(view.console_errors.isEmpty, "\(view.console_errors)")
        #expect(view.confusion_cells == 100)
    }
}
