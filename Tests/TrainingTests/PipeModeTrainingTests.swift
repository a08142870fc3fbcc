import ImageData
import Foundation
import TestFixtures
import Testing
import Training

/// Pipe mode as the container sees it: each epoch's data arrives through a FIFO named
/// `<channel>_<epoch>`, written by another process (here a thread) and read once, in order.
@Suite(.serialized, .removesTemporaryFolders)
struct PipeModeTrainingTests {
    /// Image records (label header + PNG bytes) for `perClass` digits of each class.
    static func records(_ split: String, perClass: Int) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for digit in 0..<10 {
            let folder = MNISTSample.root.appendingPathComponent(split).appendingPathComponent(String(digit))
            for (i, f) in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().prefix(perClass).enumerated() {
                let png = [UInt8](try Data(contentsOf: folder.appendingPathComponent(f)))
                out.append(ImageRecordHeader(label: Float(digit), id: UInt64(digit * 1000 + i)).pack(image: png))
            }
        }
        // Interleave the classes, as a shuffled .rec would hold them.
        return out.enumerated().sorted { ($0.offset % perClass, $0.offset) < ($1.offset % perClass, $1.offset) }.map(\.element)
    }

    /// Feeds `<prefix>_<epoch>` FIFOs for `epochs` epochs from a background thread.
    static func feed(prefix: URL, epochs: Int, payloads: [[UInt8]]) -> Thread {
        for e in 0..<epochs { mkfifo(prefix.path + "_\(e)", 0o600) }
        let thread = Thread {
            for e in 0..<epochs {
                // Opening for writing blocks until the trainer opens the epoch's pipe.
                let url = URL(fileURLWithPath: prefix.path + "_\(e)")
                guard let writer = try? RecordIOWriter(url: url) else { return }
                for p in payloads { try? writer.write(p) }
                try? writer.close()
            }
        }
        thread.start()
        return thread
    }

    @Test func trainsFromFIFOsEpochByEpoch() throws {
        let dir = MNISTSample.temporaryFolder("pipes")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let epochs = 4
        _ = Self.feed(prefix: dir.appendingPathComponent("train"), epochs: epochs, payloads: try Self.records("train", perClass: 50))
        _ = Self.feed(prefix: dir.appendingPathComponent("validation"), epochs: epochs, payloads: try Self.records("validation", perClass: 10))
        let hp = try MNISTSample.hyperparameters(["epochs": String(epochs)], trainCount: 500)
        let job = TrainingJob(hyperparameters: hp,
                              train: Channel(name: "train", path: dir.appendingPathComponent("train"), pipeMode: true),
                              validation: Channel(name: "validation", path: dir.appendingPathComponent("validation"), pipeMode: true),
                              outputDir: MNISTSample.temporaryFolder("model"), loaderThreads: 1, seed: 1)
        let result = try Trainer(job: job, log: MNISTSample.Lines().log).run()
        #expect(result.history.count == epochs)
        // 500 digits a pass: well above chance (0.1) after four passes.
        #expect(result.bestValidationAccuracy > 0.5, "validation accuracy \(result.bestValidationAccuracy)")
        #expect(result.artifact != nil)
    }
}
