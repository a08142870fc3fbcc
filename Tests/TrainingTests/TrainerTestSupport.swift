import Foundation
import TestFixtures
import Training

/// Small training jobs on the bundled MNIST sample (`sample/mnist`, real digits).
enum MNISTSample {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample/mnist")

    /// A folder of class sub-folders holding the first `perClass` images of each of
    /// `classes` (symlinks into the sample), relabelled 0..<classes.count in that order;
    /// removed when the test ends (`TemporaryFolders`).
    static func subset(_ split: String, perClass: Int, classes: [Int] = Array(0..<10), skip: Int = 0) throws -> URL {
        let fm = FileManager.default
        let out = TemporaryFolders.url("mnist-\(split)")
        for (index, digit) in classes.enumerated() {
            let source = root.appendingPathComponent(split).appendingPathComponent(String(digit))
            // Folder names sort as the class order: a0, a1, ... keep index order below 10.
            let target = out.appendingPathComponent("c\(index)_digit\(digit)")
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
            let files = try fm.contentsOfDirectory(atPath: source.path).sorted().dropFirst(skip).prefix(perClass)
            for f in files {
                try fm.createSymbolicLink(at: target.appendingPathComponent(f), withDestinationURL: source.appendingPathComponent(f))
            }
        }
        return out
    }

    /// A fresh path (not created), removed with what is in it when the test ends (`TemporaryFolders`).
    static func temporaryFolder(_ name: String) -> URL { TemporaryFolders.url(name) }

    static func hyperparameters(_ extra: [String: String] = [:], trainCount: Int, classes: Int = 10) throws -> Hyperparameters {
        var raw = ["num_classes": String(classes), "num_training_samples": String(trainCount), "image_shape": "1,28,28",
                   "num_layers": "20", "mini_batch_size": "32", "epochs": "3", "learning_rate": "0.1"]
        for (k, v) in extra { raw[k] = v }
        return try Hyperparameters.parse(raw)
    }

    /// A log that keeps its lines.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
        var log: TrainingLog { TrainingLog(interactive: false, progressInterval: 1e9, write: { [self] in append($0) }) }
    }
}
