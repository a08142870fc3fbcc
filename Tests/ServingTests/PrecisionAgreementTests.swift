import Compute
import Foundation
import Graph
import Serving
import TestFixtures
import Testing
import Training

/// bf16's top-1 agrees with float32's on at least 99.5% of the bundled digits and of the
/// photo crops (long accuracy runs: IMGCLF_LONG_TESTS=1). Each test trains a small ResNet briefly (real weights, not random ones: a random network's
/// near-ties would measure nothing), then classifies every image of the set with a float32
/// `Predictor` and a bf16 one and counts the images whose top-1 class is the same.
@Suite(.serialized, .removesTemporaryFolders)
struct PrecisionAgreementTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let required = 0.995

    /// ResNet-20 1x28x28, 4 epochs on the 4,000 training digits of sample/mnist; agreement over
    /// its 1,000 validation digits.
    @Test(.longRun, .enabled(if: DNNL.supportsBFloat16, "this CPU has no bfloat16 instructions (AVX-512 BF16 or AMX): bf16 agreement not measured"))
    func digitsAgreeWithFloat32() throws {
        let mnist = Self.repository.appendingPathComponent("sample/mnist")
        let model = try train(hyperparameters: [
            "num_classes": "10", "num_training_samples": "4000", "image_shape": "1,28,28", "num_layers": "20",
            "mini_batch_size": "64", "epochs": "4", "learning_rate": "0.1", "lr_scheduler_step": "3",
        ], train: mnist.appendingPathComponent("train"), validation: mnist.appendingPathComponent("validation"))
        let agreement = try measure(model: model, images: mnist.appendingPathComponent("validation"), set: "digits")
        #expect(agreement.count == 1000)
        #expect(agreement.float32Accuracy > 0.9, "the trained model scores \(agreement.float32Accuracy): too weak to mean anything")
        #expect(agreement.fraction >= Self.required, "\(agreement)")
        #expect(agreement.maxDiff > 0, "bf16 and float32 gave identical probabilities: bf16 did not run")
    }

    /// ResNet-20 3x28x28 on crops of the 12 real photos of shared/data/photos (one class per
    /// photo; Resources/photo-crops, written by tools/make_photo_crops.py: 56x42 and 42x56
    /// JPEGs, so the endpoint's resize and centre crop run too); agreement over all 480 crops.
    @Test(.longRun, .enabled(if: DNNL.supportsBFloat16, "this CPU has no bfloat16 instructions (AVX-512 BF16 or AMX): bf16 agreement not measured"))
    func photosAgreeWithFloat32() throws {
        let crops = Fixtures.root.appendingPathComponent("photo-crops")
        let model = try train(hyperparameters: [
            "num_classes": "12", "num_training_samples": "288", "image_shape": "3,28,28", "resize": "28",
            "num_layers": "20", "mini_batch_size": "32", "epochs": "8", "learning_rate": "0.1",
            "lr_scheduler_step": "6", "augmentation_type": "crop",
        ], train: crops.appendingPathComponent("train"), validation: crops.appendingPathComponent("validation"))
        let agreement = try measure(model: model, images: crops, set: "photo crops")
        #expect(agreement.count == 480)
        #expect(agreement.float32Accuracy > 0.5, "the trained model scores \(agreement.float32Accuracy): too weak to mean anything")
        #expect(agreement.fraction >= Self.required, "\(agreement)")
        #expect(agreement.maxDiff > 0, "bf16 and float32 gave identical probabilities: bf16 did not run")
    }

    // MARK: - Helpers

    struct Agreement: CustomStringConvertible {
        var set: String
        var count = 0, agreeing = 0, correct32 = 0, correct16 = 0
        var maxDiff: Float = 0
        var fraction: Double { Double(agreeing) / Double(max(count, 1)) }
        var float32Accuracy: Double { Double(correct32) / Double(max(count, 1)) }
        var description: String {
            let figures = String(format: "(%.2f%%); accuracy float32 %.3f, bf16 %.3f; max |p_bf16 - p_f32| %.4f",
                                 100 * fraction, float32Accuracy, Double(correct16) / Double(max(count, 1)), maxDiff)
            return "\(set): bf16 top-1 agrees with float32 on \(agreeing) of \(count) images " + figures
        }
    }

    /// Trains with `Trainer` (seeded) and returns the artifact.
    func train(hyperparameters raw: [String: String], train: URL, validation: URL) throws -> URL {
        let hp = try Hyperparameters.parse(raw)
        let job = TrainingJob(hyperparameters: hp, train: Channel(name: "train", path: train),
                              validation: Channel(name: "validation", path: validation),
                              outputDir: TemporaryFolders.url("agreement-model"), loaderThreads: 2, seed: 3)
        let result = try Trainer(job: job, log: TrainingLog(interactive: false, progressInterval: 1e9, write: { _ in })).run()
        return try #require(result.artifact)
    }

    /// Every image under `images` (recursively; its label is the index of its class folder
    /// among the sorted class folders, as training numbered them), through float32 and bf16.
    func measure(model: URL, images: URL, set: String) throws -> Agreement {
        let files = try FileManager.default.subpathsOfDirectory(atPath: images.path)
            .filter { $0.hasSuffix(".png") || $0.hasSuffix(".jpg") }.sorted()
        let classes = Array(Set(files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent })).sorted()
        let labels = files.map { classes.firstIndex(of: URL(fileURLWithPath: $0).deletingLastPathComponent().lastPathComponent)! }
        let bytes = try files.map { [UInt8](try Data(contentsOf: images.appendingPathComponent($0))) }
        let f32 = try Predictor(contentsOf: model, options: PredictorOptions(maxBatch: 64, precision: .float32))
        let bf16 = try Predictor(contentsOf: model, options: PredictorOptions(maxBatch: 64, precision: .bfloat16))
        let top = { (p: [Float]) in p.indices.max { p[$0] < p[$1] }! }
        var a = Agreement(set: set)
        for (i, (p32, p16)) in zip(f32.predict(bytes), bf16.predict(bytes)).enumerated() {
            let q32 = try p32.get(), q16 = try p16.get()
            a.count += 1
            if top(q32) == top(q16) { a.agreeing += 1 }
            if top(q32) == labels[i] { a.correct32 += 1 }
            if top(q16) == labels[i] { a.correct16 += 1 }
            a.maxDiff = max(a.maxDiff, Fixtures.maxDiff(q32, q16))
        }
        print(a)
        return a
    }
}
