import Foundation
import Graph
import Models
import Serving
import TestFixtures
import Testing
import Training

/// A ResNet-20 trained on the bundled digits, quantized on training digits: int8 scores the
/// 1,000 validation digits within 0.5 points of float32 (a long accuracy run: IMGCLF_LONG_TESTS=1).
@Suite(.serialized, .removesTemporaryFolders)
struct QuantizedDigitsTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("sample/mnist")

    /// A folder of class folders linking the first `perClass` digits of each class.
    static func subset(_ split: String, perClass: Int) throws -> URL {
        let fm = FileManager.default
        let out = TemporaryFolders.url("digits-\(split)")
        for digit in 0..<10 {
            let source = sample.appendingPathComponent(split).appendingPathComponent(String(digit))
            let target = out.appendingPathComponent("c\(digit)")
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
            for f in try fm.contentsOfDirectory(atPath: source.path).sorted().prefix(perClass) {
                try fm.createSymbolicLink(at: target.appendingPathComponent(f), withDestinationURL: source.appendingPathComponent(f))
            }
        }
        return out
    }

    /// Every validation digit with its label.
    static func validation() throws -> [(bytes: [UInt8], label: Int)] {
        var all: [(bytes: [UInt8], label: Int)] = []
        for digit in 0..<10 {
            let folder = sample.appendingPathComponent("validation").appendingPathComponent(String(digit))
            for f in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
                all.append(([UInt8](try Data(contentsOf: folder.appendingPathComponent(f))), digit))
            }
        }
        return all
    }

    static func top1(_ predictor: Predictor, _ images: [(bytes: [UInt8], label: Int)]) throws -> [Int] {
        try predictor.predict(images.map(\.bytes)).map { result in
            let p = try result.get()
            return p.indices.max { p[$0] < p[$1] } ?? -1
        }
    }

    @Test(.longRun) func int8ScoresTheValidationDigitsWithinHalfAPointOfFloat() throws {
        let train = try Self.subset("train", perClass: 200)
        let out = TemporaryFolders.url("digits-model")
        let hp = try Hyperparameters.parse(["num_classes": "10", "num_training_samples": "2000", "image_shape": "1,28,28",
                                            "num_layers": "20", "mini_batch_size": "32", "epochs": "5", "learning_rate": "0.1"])
        let job = TrainingJob(hyperparameters: hp, train: Channel(name: "train", path: train),
                              validation: Channel(name: "validation", path: try Self.subset("validation", perClass: 10)),
                              outputDir: out, loaderThreads: 1, seed: 3)
        let result = try Trainer(job: job, log: TrainingLog(interactive: false, progressInterval: 1e9, write: { _ in })).run()
        var artifact = try ModelArtifact.load(from: try #require(result.artifact))

        let images = ModelQuantizer.spread(try ModelQuantizer.calibrationImages(from: train), limit: 256)
        let table = try ModelQuantizer.calibrate(artifact: artifact, images: images, source: train.path)
        #expect(table.calibration?.images == 256)
        #expect(table.convolutions.count == 22)   // conv0, 18 in the units, 3 projection shortcuts
        #expect(table.convolutions.values.filter { !$0.inputNonNegative }.map(\.input) == ["bn_data"])
        artifact.quantization = table

        let validation = try Self.validation()
        let float = try Predictor(artifact: artifact, options: PredictorOptions(int8: .never))
        let int8 = try Predictor(artifact: artifact)
        #expect(float.quantization == nil && int8.quantization != nil)
        let labels = validation.map(\.label)
        let f = try Self.top1(float, validation), q = try Self.top1(int8, validation)
        let floatAccuracy = Double(zip(f, labels).filter { $0 == $1 }.count) / Double(labels.count)
        let int8Accuracy = Double(zip(q, labels).filter { $0 == $1 }.count) / Double(labels.count)
        let agreement = Double(zip(f, q).filter { $0 == $1 }.count) / Double(labels.count)
        print("digits ResNet-20: float32 \(floatAccuracy), int8 \(int8Accuracy), top-1 agreement \(agreement) on \(labels.count) validation digits")
        #expect(floatAccuracy > 0.8, "the float model did not learn: \(floatAccuracy)")
        #expect(abs(floatAccuracy - int8Accuracy) <= 0.005, "float32 \(floatAccuracy), int8 \(int8Accuracy)")
    }
}
