import Foundation
import Models
import TestFixtures
import Testing
import Training

/// The container contract: a job folder laid out as SageMaker lays out /opt/ml.
@Suite(.serialized, .removesTemporaryFolders)
struct JobFolderTrainingTests {
    func makeJob(hyperparameters: [String: String], withCheckpoints: Bool = false) throws -> URL {
        let fm = FileManager.default
        let root = MNISTSample.temporaryFolder("opt-ml")
        let config = root.appendingPathComponent("input/config")
        try fm.createDirectory(at: config, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: hyperparameters).write(to: config.appendingPathComponent("hyperparameters.json"))
        let channels: [String: Any] = [
            "train": ["ContentType": "application/x-image", "TrainingInputMode": "File", "S3DistributionType": "FullyReplicated", "RecordWrapperType": "None"],
            "validation": ["ContentType": "application/x-image", "TrainingInputMode": "File", "S3DistributionType": "FullyReplicated", "RecordWrapperType": "None"],
        ]
        try JSONSerialization.data(withJSONObject: channels).write(to: config.appendingPathComponent("inputdataconfig.json"))
        try Data(#"{"current_host": "algo-1", "hosts": ["algo-1"]}"#.utf8).write(to: config.appendingPathComponent("resourceconfig.json"))
        let data = root.appendingPathComponent("input/data")
        try fm.createDirectory(at: data, withIntermediateDirectories: true)
        try fm.moveItem(at: try MNISTSample.subset("train", perClass: 10), to: data.appendingPathComponent("train"))
        try fm.moveItem(at: try MNISTSample.subset("validation", perClass: 5), to: data.appendingPathComponent("validation"))
        if withCheckpoints { try fm.createDirectory(at: root.appendingPathComponent("checkpoints"), withIntermediateDirectories: true) }
        return root
    }

    static let base = ["num_classes": "10", "num_training_samples": "100", "image_shape": "1,28,28", "num_layers": "20",
                       "mini_batch_size": "32", "epochs": "2"]

    @Test func trainsIntoTheModelFolderWithCheckpoints() throws {
        let root = try makeJob(hyperparameters: Self.base, withCheckpoints: true)
        try JobFolderTraining(root: root, threads: 1).run()
        // Plain files: the service packs the model folder into model.tar.gz itself.
        let model = root.appendingPathComponent("model")
        #expect(!FileManager.default.fileExists(atPath: model.appendingPathComponent("model.tar.gz").path))
        #expect(try ModelArtifact.load(from: model).imageShape == [1, 28, 28])
        #expect(try TrainingState.load(from: root.appendingPathComponent("checkpoints"))?.0.nextEpoch == 2)
    }

    /// A bad job reports every problem, and the command writes them to output/failure.
    @Test func badHyperparametersListEveryProblem() throws {
        var hp = Self.base
        hp["learning_rate"] = "2"
        hp["mini_batch_sise"] = "32"
        hp.removeValue(forKey: "num_classes")
        let root = try makeJob(hyperparameters: hp)
        do {
            try JobFolderTraining(root: root, threads: 1).run()
            Issue.record("bad hyperparameters were accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("learning_rate") && text.contains("mini_batch_sise") && text.contains("num_classes"), "\(text)")
            JobFolderTraining.reportFailure(root: root, text)
            let failure = try String(contentsOf: root.appendingPathComponent("output/failure"), encoding: .utf8)
            #expect(failure == text)
        }
    }

    /// A 10 MB hyperparameter value is named in the error by its first characters, and
    /// output/failure keeps at most 16 KiB of any message (the service shows 1024 characters).
    @Test func aHugeValueDoesNotBecomeAHugeFailureFile() throws {
        var hp = Self.base
        hp["num_layers"] = String(repeating: "9", count: 10_000_000)
        let root = try makeJob(hyperparameters: hp)
        do {
            try JobFolderTraining(root: root, threads: 1).run()
            Issue.record("a 10 MB num_layers was accepted")
        } catch {
            // The message quotes the value's start only.
            let text = "\(error)"
            #expect(text.utf8.count < 4096 && text.contains("num_layers=\"999") && text.contains("(9999800 more characters)"), "\(text.prefix(400))")
            JobFolderTraining.reportFailure(root: root, text)
        }
        // Any message, however long, is cut for output/failure (the log keeps it whole).
        JobFolderTraining.reportFailure(root: root, "num_layers: " + String(repeating: "é", count: 5_000_000))
        let failure = try String(contentsOf: root.appendingPathComponent("output/failure"), encoding: .utf8)
        #expect(failure.utf8.count <= JobFolderTraining.failureLimit, "\(failure.utf8.count) bytes")
        #expect(failure.hasPrefix("num_layers: éé") && failure.contains("more bytes; the whole message is in the log"), "\(failure.suffix(200))")
    }

    @Test func missingChannelIsNamed() throws {
        let root = try makeJob(hyperparameters: Self.base)
        try FileManager.default.removeItem(at: root.appendingPathComponent("input/data/validation"))
        #expect(throws: TrainingError.self) { try JobFolderTraining(root: root, threads: 1).run() }
    }
}
