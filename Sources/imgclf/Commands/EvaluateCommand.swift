import ArgumentParser
import Data
import Foundation
import Serving

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
    @Flag(name: .customLong("json"), help: "Print only the JSON report, even on a terminal.") var jsonOnly = false

    func validate() throws {
        try requireRange(topK, 1...1_000_000, option: "--top-k")
    }

    func run() throws {
        let predictor = try modelOptions.predictor()
        let source = try EvaluationData.open(URL(fileURLWithPath: data), options: Dataset.Options(
            channel: "evaluation", labels: LabelSpec(numClasses: predictor.numClasses, multiLabel: predictor.multiLabel),
            contentType: contentType, lst: lst.map { URL(fileURLWithPath: $0) },
            attributeNames: attributeNames.map { $0.split(separator: ",").map(String.init) }))
        let bar = ProgressBar(label: "evaluate")
        let report = Evaluation.run(predictor: predictor, source: source, k: topK,
                                    warn: { printWarning($0) },
                                    progress: { bar.update(done: $0, total: $1) })
        if !jsonOnly && isatty(STDOUT_FILENO) != 0 { print(EvaluationTable.render(report)) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(report), as: UTF8.self))
    }
}
