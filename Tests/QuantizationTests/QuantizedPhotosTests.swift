import Foundation
import Models
import Serving
import TestFixtures
import Testing
import Training

/// A ResNet-18 trained on crops of the real photos (ServingTests/Resources/photo-crops, 12
/// classes, one per photo of shared/data/photos), quantized on its training crops: int8's
/// top-1 agrees with float32's on at least 99% of all 480 crops (a long accuracy run:
/// IMGCLF_LONG_TESTS=1).
@Suite(.serialized, .removesTemporaryFolders)
struct QuantizedPhotosTests {
    static let crops = ImgclfBinary.repository.appendingPathComponent("Tests/ServingTests/Resources/photo-crops")

    @Test(.longRun) func resNet18AgreesWithFloat32OnThePhotos() throws {
        let hp = try Hyperparameters.parse([
            "num_classes": "12", "num_training_samples": "288", "image_shape": "3,64,64", "resize": "64",
            "num_layers": "18", "mini_batch_size": "32", "epochs": "6", "learning_rate": "0.05",
            "lr_scheduler_step": "5", "augmentation_type": "crop",
        ])
        let job = TrainingJob(hyperparameters: hp, train: Channel(name: "train", path: Self.crops.appendingPathComponent("train")),
                              validation: Channel(name: "validation", path: Self.crops.appendingPathComponent("validation")),
                              outputDir: TemporaryFolders.url("photos-model"), loaderThreads: 2, seed: 5)
        let result = try Trainer(job: job, log: TrainingLog(interactive: false, progressInterval: 1e9, write: { _ in })).run()
        var artifact = try ModelArtifact.load(from: try #require(result.artifact))
        let calibration = ModelQuantizer.spread(try ModelQuantizer.calibrationImages(from: Self.crops.appendingPathComponent("train")), limit: 256)
        artifact.quantization = try ModelQuantizer.calibrate(artifact: artifact, images: calibration, source: "photo-crops/train")

        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.crops.path).filter { $0.hasSuffix(".jpg") }.sorted()
        let classes = Array(Set(files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent })).sorted()
        let labels = files.map { classes.firstIndex(of: URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent) ?? -1 }
        let images = try files.map { [UInt8](try Data(contentsOf: Self.crops.appendingPathComponent($0))) }
        let top1 = { (predictor: Predictor) throws -> [Int] in
            try predictor.predict(images).map { r in let p = try r.get(); return p.indices.max { p[$0] < p[$1] } ?? -1 }
        }
        let float = try top1(Predictor(artifact: artifact, options: PredictorOptions(maxBatch: 32, int8: .never)))
        let int8 = try top1(Predictor(artifact: artifact, options: PredictorOptions(maxBatch: 32, int8: .required)))
        let agreement = Double(zip(float, int8).filter { $0 == $1 }.count) / Double(files.count)
        let accuracy = { (top: [Int]) in Double(zip(top, labels).filter { $0 == $1 }.count) / Double(files.count) }
        print("photo crops ResNet-18 3x64x64: float32 accuracy \(accuracy(float)), int8 \(accuracy(int8)), top-1 agreement \(agreement) on \(files.count) crops")
        #expect(files.count == 480)
        #expect(accuracy(float) > 0.5, "the float model scores \(accuracy(float)): too weak to mean anything")
        #expect(agreement >= 0.99, "int8 agrees with float32 on \(agreement) of the crops")
    }
}
