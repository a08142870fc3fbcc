import ImageData
import Foundation
import Models
import Serving
import Support
import Training

/// `report.html` beside the artifact after a training run: the run's curves and
/// hyperparameters, the class balance of both channels, and the best epoch's checkpoint
/// (when it was kept; else the last one) evaluated on the validation channel. A Pipe-mode
/// channel is a stream already consumed: its part is left out.
public enum TrainingReport {
    public static let fileName = "report.html"

    /// Writes the report and returns its file. The model is already written: a report that
    /// cannot be made is the caller's warning, not a failed job.
    @discardableResult
    public static func write(job: TrainingJob, result: TrainingResult, log: (String) -> Void) throws -> URL {
        let hp = job.hyperparameters
        let folder = job.outputDir
        let best = result.history.isEmpty ? nil : result.bestEpoch
        let bestCheckpoint = best.map { $0 + 1 }
        let epoch = bestCheckpoint.flatMap { ModelArtifact.holds(ModelArtifact.paramsFileName(epoch: $0), in: folder) ? $0 : nil }
        let artifact = try ModelArtifact.load(from: folder, epoch: epoch)
        let predictor = try Predictor(artifact: artifact, options: PredictorOptions(maxBatch: min(64, max(1, hp.miniBatchSize))))
        let labels = LabelSpec(numClasses: hp.numClasses, multiLabel: hp.multiLabel)
        // Training already warned about what it left out or read leniently.
        let validation = job.validation.pipeMode ? nil : try job.validation.open(labels: labels, badLabelAllowance: job.badLabelAllowance, warn: { _ in }).source
        let train = job.train.pipeMode ? nil : try job.train.open(labels: labels, badLabelAllowance: job.badLabelAllowance, warn: { _ in }).source
        if validation != nil {
            log("Writing \(fileName): evaluating checkpoint \(ModelArtifact.paramsFileName(epoch: artifact.epoch)) on the \(job.validation.name) channel")
        }
        let builder = ReportBuilder(title: "Training report", artifact: artifact, predictor: predictor, validation: validation,
                                    train: train, topK: hp.topK ?? 5, bestEpoch: best)
        var warnings = 0
        let data = try builder.build(warn: { message in
            warnings += 1
            if warnings <= 5 { log("warning: \(fileName): \(message)") }
        }).data
        let file = folder.appendingPathComponent(fileName)
        try AtomicFile.write(Data(EmbeddedPage.report.render(json: try data.json()).utf8), to: file)
        log("Report written to \(file.path)")
        return file
    }
}
