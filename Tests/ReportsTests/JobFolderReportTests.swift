import Foundation
import TestFixtures
import Testing

/// A job folder laid out as the service lays out /opt/ml: the report goes into model/, the
/// scalars into output/tensorboard when the service made that folder (TensorBoardOutputConfig).
@Suite(.serialized, .removesTemporaryFolders)
struct JobFolderReportTests {
    @Test func aJobFolderGetsTheReportAndTheServicesTensorBoardFolder() throws {
        let root = try TemporaryFolders.make("job")
        let fm = FileManager.default
        for folder in ["input/config", "input/data", "output/tensorboard"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for channel in ["train", "validation"] {
            try fm.createSymbolicLink(at: root.appendingPathComponent("input/data/\(channel)"),
                                      withDestinationURL: TrainedDigits.digits.appendingPathComponent(channel))
        }
        let hyperparameters = ["num_classes": "10", "num_training_samples": "4000", "image_shape": "1,28,28", "num_layers": "8",
                               "mini_batch_size": "128", "epochs": "1", "learning_rate": "0.1"]
        try JSONSerialization.data(withJSONObject: hyperparameters).write(to: root.appendingPathComponent("input/config/hyperparameters.json"))
        let outcome = try ImgclfBinary.run(["train", "--job-dir", root.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        let report = root.appendingPathComponent("model/report.html")
        #expect(fm.fileExists(atPath: report.path), "\(outcome.output)")
        let events = try fm.contentsOfDirectory(atPath: root.appendingPathComponent("output/tensorboard").path)
        #expect(events.count == 1 && events.allSatisfy { $0.hasPrefix("events.out.tfevents.") }, "\(events)")
        let read = try ReportTools.scalars(in: root.appendingPathComponent("output/tensorboard"))
        #expect(read.scalars["validation/accuracy"]?.count == 1)
        let view = try ReportTools.viewReport(report, classes: 10)
        #expect(view.console_errors.isEmpty && view.confusion_cells == 100, "\(view)")
    }

    @Test func aTensorBoardFolderThatCannotBeMadeIsNamedBeforeTraining() throws {
        let file = TemporaryFolders.url("not-a-folder")
        try Data("x".utf8).write(to: file)
        let outcome = try ImgclfBinary.run([
            "train", "--train", TrainedDigits.digits.appendingPathComponent("train").path,
            "--validation", TrainedDigits.digits.appendingPathComponent("validation").path,
            "--output", TemporaryFolders.url("model").path, "--tensorboard-dir", file.path,
            "--num_classes", "10", "--num_training_samples", "4000", "--image_shape", "1,28,28", "--num_layers", "8",
            "--mini_batch_size", "64", "--epochs", "1",
        ])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("TensorBoard") && outcome.output.contains(file.path), "\(outcome.output)")
        #expect(!outcome.output.contains("Epoch[0] Train-accuracy"), "named before any training")
    }
}
