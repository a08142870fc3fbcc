import Foundation
import TestFixtures

/// One real training run on the bundled digits (ResNet-8, 2 epochs, TensorBoard on), shared
/// by the suites that look at what it leaves: report.html, the event files, the model.
enum TrainedDigits {
    static let digits = ImgclfBinary.repository.appendingPathComponent("sample/mnist")
    static let epochs = 2

    struct Run: Sendable {
        let model: URL
        let tensorboard: URL
        let output: String
    }

    /// Trained once per test process, in a folder of its own (removed with the process's temporary folders).
    static let run: Result<Run, ReportTools.Failed> = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("imgclf-report-run-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        let model = folder.appendingPathComponent("model"), tensorboard = folder.appendingPathComponent("tensorboard")
        do {
            let outcome = try ImgclfBinary.run([
                "train", "--train", digits.appendingPathComponent("train").path,
                "--validation", digits.appendingPathComponent("validation").path, "--output", model.path,
                "--tensorboard-dir", tensorboard.path,
                "--num_classes", "10", "--num_training_samples", "4000", "--image_shape", "1,28,28", "--num_layers", "8",
                "--mini_batch_size", "64", "--epochs", String(epochs), "--learning_rate", "0.1", "--top_k", "3",
            ])
            guard outcome.status == 0 else { return .failure(.init(description: "training failed:\n\(outcome.output)")) }
            return .success(Run(model: model, tensorboard: tensorboard, output: outcome.output))
        } catch {
            return .failure(.init(description: "\(error)"))
        }
    }()

    /// Images per class folder of a channel, as the file system counts them.
    static func filesPerClass(_ channel: String) throws -> [Int] {
        try (0..<10).map { c in
            try FileManager.default.contentsOfDirectory(atPath: digits.appendingPathComponent("\(channel)/\(c)").path).count
        }
    }
}
