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
    @Option(name: .customLong("data"), help: "A channel folder (a .rec, images with a .lst, class sub-folders, or a manifest), or a .rec file.") var data: String
    @Option(name: .customLong("lst"), help: "A .lst file (or folder of them) for the images in --data.") var lst: String?
    @Option(name: .customLong("attribute-names"), help: "Augmented manifest: the source-ref and label attributes, comma-separated.") var attributeNames: String?
    @Option(name: .customLong("content-type"), help: "The channel's content type (for augmented manifests).") var contentType: String?
    @Option(name: .customLong("top-k"), help: "k of the top-k accuracy.") var topK = 5
    @Option(name: .customLong("html"), help: "Also write the evaluation as a page (confusion matrix, per-class figures, the most confident mistakes).") var html: String?
    @Flag(name: .customLong("json"), help: "Print only the JSON report, even on a terminal.") var jsonOnly = false
    @Option(name: .customLong("max-failed"), help: "Images that may fail to read or decode before evaluate exits non-zero (default 0: the figures would not cover the data asked for).") var maxFailed = 0

    func validate() throws {
        try requireRange(topK, 1...1_000_000, option: "--top-k")
        try requireRange(maxFailed, 0...Int.max, option: "--max-failed")
    }

    func run() throws {
        ProcessNice.applyToCurrentThread()
        let artifact = try ModelArtifact.load(from: URL(fileURLWithPath: modelOptions.model))
        let predictor = try Predictor(artifact: artifact, options: try modelOptions.predictorOptions())
        var options = Dataset.Options(
            channel: "evaluation", labels: LabelSpec(numClasses: predictor.numClasses, multiLabel: predictor.multiLabel),
            contentType: contentType, lst: lst.map { URL(fileURLWithPath: $0) },
            attributeNames: attributeNames.map { $0.split(separator: ",").map(String.init) })
        options.warn = { printWarning($0) }
        let source = try EvaluationData.open(URL(fileURLWithPath: data), options: EvaluationData.matchingClasses(of: predictor, options))
        let bar = ProgressBar(label: "evaluate")
        var builder = ReportBuilder(title: "Evaluation report", artifact: artifact, predictor: predictor, validation: source, topK: topK)
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
