import ArgumentParser
import ImageData
import Foundation
import Models
import Reports
import Serving
import Support

/// `imgclf report`: rebuilds `report.html` from a model artifact (ours, the service's or
/// MXNet's): the training curves and hyperparameters it holds and, with `--data`, an
/// evaluation on labelled data (confusion matrix, per-class figures, the most confident mistakes).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html for a model: training curves, hyperparameters and, with --data, an evaluation.")

    @Argument(help: "A model.tar.gz or a model folder.") var model: String
    @Option(help: "Labelled validation data (any form evaluate takes) to evaluate and count.") var data: String?
    @OptionGroup var dataOptions: LabelledDataOptions
    @Option(help: "Training data, to show its class balance.") var trainData: String?
    @Option(help: "The HTML file to write (default: report.html beside the model).") var output: String?
    @OptionGroup var shape: ImageShapeOption
    @OptionGroup var epoch: EpochOption

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let artifact = try ModelArtifact.load(from: url, epoch: epoch.epoch)
        let predictor = try Predictor(artifact: artifact, options: PredictorOptions(imageShape: try shape.shape()))
        let validation = try data.map {
            try EvaluationData.open(URL(fileURLWithPath: $0), options: dataOptions.datasetOptions(channel: "validation", lst: dataOptions.lst, for: predictor))
        }
        let train = try trainData.map {
            try EvaluationData.open(URL(fileURLWithPath: $0), options: dataOptions.datasetOptions(channel: "train", lst: nil, for: predictor))
        }
        let bar = ProgressBar(label: "report")
        let report = try ReportBuilder(title: "Training report", artifact: artifact, predictor: predictor,
                                       validation: validation, train: train, topK: dataOptions.topK)
            .build(warn: { printWarning($0) }, progress: { bar.update(done: $0, total: $1) }).data
        let file = URL(fileURLWithPath: output ?? Self.besideModel(url).path)
        try AtomicFile.write(Data(EmbeddedPage.report.render(json: try report.json()).utf8), to: file)
        print(file.path)
    }

    /// report.html in a model folder, or beside a model.tar.gz.
    static func besideModel(_ url: URL) -> URL {
        var isDirectory: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? url : url.deletingLastPathComponent()
        return folder.appendingPathComponent(TrainingReport.fileName)
    }
}
