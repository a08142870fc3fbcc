import ArgumentParser
import ImageData
import Foundation
import Models
import Reports
import Serving
import Support

/// `imgclf evaluate`: accuracy, top-k accuracy, per-class precision and recall and the
/// confusion matrix of a model on a labelled channel (.rec, images with .lst, class folders,
/// or an augmented manifest), with the same preprocessing as serving and validation.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a model on labelled data: accuracy, top-k, per-class precision/recall, confusion matrix.")

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "A channel folder (a .rec, images with a .lst, class sub-folders, or a manifest), or a .rec file.") var data: String
    @OptionGroup var dataOptions: LabelledDataOptions
    @Option(help: "Also write the evaluation as a page (confusion matrix, per-class figures, the most confident mistakes).") var html: String?
    @Flag(name: .customLong("json"), help: "Print only the JSON report, even on a terminal.") var jsonOnly = false
    @Option(help: "Images that may fail to read or decode before evaluate exits non-zero (default 0: the figures would not cover the data asked for).") var maxFailed = 0

    func validate() throws {
        try requireRange(maxFailed, 0...Int.max, option: "--max-failed")
    }

    func run() throws {
        ProcessNice.applyToCurrentThread()
        let artifact = try ModelArtifact.load(from: URL(fileURLWithPath: modelOptions.model))
        let predictor = try Predictor(artifact: artifact, options: try modelOptions.predictorOptions())
        let source = try EvaluationData.open(URL(fileURLWithPath: data),
                                             options: dataOptions.datasetOptions(channel: "evaluation", lst: dataOptions.lst, for: predictor))
        let bar = ProgressBar(label: "evaluate")
        var builder = ReportBuilder(title: "Evaluation report", artifact: artifact, predictor: predictor, validation: source, topK: dataOptions.topK)
        builder.includesTraining = false
        if html == nil {
            // The table and JSON show neither thumbnails nor class counts.
            builder.mistakes = 0
            builder.countsClasses = false
        }
        let built = try builder.build(warn: { printWarning($0) }, progress: { bar.update(done: $0, total: $1) })
        guard let report = built.evaluation else { return }
        if let html {
            try AtomicFile.write(Data(EmbeddedPage.report.render(json: try built.data.json()).utf8), to: URL(fileURLWithPath: html))
        }
        if !jsonOnly && isatty(STDOUT_FILENO) != 0 { print(EvaluationTable.render(report)) }
        print(String(decoding: try report.json(), as: UTF8.self))
        // 100% accuracy over 1 of 11 images is not a result: say so, and fail.
        if report.failed > maxFailed {
            FileHandle.standardError.write(Data("error: \(report.failed) of \(report.samples + report.failed) image(s) could not be classified (each is named above); the figures cover the other \(report.samples)\(maxFailed > 0 ? ", and --max-failed allows \(maxFailed)" : "")\n".utf8))
            throw ExitCode(1)
        }
    }
}
