import Compute
import ImageData
import Graph
import Foundation
import Models
import Serving
import TestFixtures
import Testing

/// `Predictor`: probabilities equal MXNet 1.9.1's for exact-size PNGs, preprocessing of other
/// sizes, errors per image, executors per batch size.
@Suite(.removesTemporaryFolders)
struct PredictorTests {
    @Test(arguments: Fixtures.parityCases.map(\.model))
    func probabilitiesMatchMXNet(model: String) throws {
        let predictor = try Predictor(contentsOf: Fixtures.model(model))
        let images = Fixtures.parityCases.first { $0.model == model }!.images
        let results = predictor.predict(images.map(Fixtures.bytes))
        for (name, result) in zip(images, results) {
            let p = try result.get()
            let diff = Fixtures.maxDiff(p, Fixtures.expected[model]![name]!)
            #expect(diff < 1e-5, "\(model) \(name): max |diff| \(diff)")
        }
        #expect(predictor.forwardPasses == 1, "both images in one forward pass")
    }

    /// `--precision bf16`: the forward pass runs in bfloat16 (8 bits of mantissa), so the
    /// probabilities stay near MXNet's float32 ones, differ from them, and rank the same top-1.
    @Test(.enabled(if: DNNL.supportsBFloat16, "this CPU has no bfloat16 instructions"),
          arguments: Fixtures.parityCases.map(\.model))
    func bfloat16StaysNearMXNetsFloat32(model: String) throws {
        let predictor = try Predictor(contentsOf: Fixtures.model(model), options: PredictorOptions(precision: .bfloat16))
        let images = Fixtures.parityCases.first { $0.model == model }!.images
        for (name, result) in zip(images, predictor.predict(images.map(Fixtures.bytes))) {
            let p = try result.get(), reference = Fixtures.expected[model]![name]!
            let diff = Fixtures.maxDiff(p, reference)
            #expect(diff < 3e-2 && diff > 0, "\(model) \(name): max |diff| \(diff) (0 would mean it did not run in bf16)")
            let top = { (q: [Float]) in q.indices.max { q[$0] < q[$1] } }
            #expect(top(p) == top(reference), "\(model) \(name): bf16 top-1 \(top(p) ?? -1), float32 \(top(reference) ?? -1)")
        }
    }

    @Test func modelFacts() throws {
        let gray = try Predictor(contentsOf: Fixtures.model("resnet20-1x28x28"))
        #expect(gray.imageShape == [1, 28, 28])
        #expect(gray.numClasses == 10)
        #expect(!gray.multiLabel)
        #expect(gray.classNames == nil)
        let multi = try Predictor(contentsOf: Fixtures.model("resnet20-3x28x28-multilabel"))
        #expect(multi.multiLabel)
        #expect(multi.numClasses == 5)
        let named = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"))
        #expect(named.classNames == ["cat", "dog", "bird", "fish"])
        #expect(named.className(2) == "bird")
    }

    /// The archive form (`model.tar.gz`) answers exactly as the folder does.
    @Test func loadsModelTarGz() throws {
        let folder = Fixtures.temporaryFolder("tar")
        defer { try? FileManager.default.removeItem(at: folder) }
        let artifact = try ModelArtifact.load(from: Fixtures.model("resnet8-3x28x28"))
        let archive = try artifact.writeArchive(to: folder.appendingPathComponent("out"))
        let fromTar = try Predictor(contentsOf: archive)
        let p = try fromTar.predict([Fixtures.bytes("rgb0.png")])[0].get()
        #expect(Fixtures.maxDiff(p, Fixtures.expected["resnet8-3x28x28"]!["rgb0.png"]!) < 1e-5)
        #expect(fromTar.classNames == ["cat", "dog", "bird", "fish"])
    }

    /// Another size goes through the training validation path: the Augmenter's resize of the
    /// shorter side and centre crop, so the input equals what validation feeds the network.
    /// This model records neither `resize` nor a validation size: the shorter side goes to H,
    /// as the service's endpoint resizes.
    @Test func otherSizesUseTheValidationAugmenter() throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"))
        #expect(predictor.preprocessor.resize == 28)
        let bytes = Fixtures.bytes("rgb-60x45.jpg")
        let image = try ImageDecoder.decode(bytes, options: DecodeOptions(channels: 3))
        let augmenter = Augmenter(imageShape: [3, 28, 28], resize: 28, params: .none)
        let ws = AugmentWorkspace(width: 28, height: 28, channels: 3)
        var expected = [Float](repeating: 0, count: 3 * 28 * 28)
        var rng = SampleRNG(seed: 1)
        expected.withUnsafeMutableBufferPointer { augmenter.process(image, rng: &rng, workspace: ws, into: $0.baseAddress!) }
        var got = [Float](repeating: 0, count: 3 * 28 * 28)
        try got.withUnsafeMutableBufferPointer { buffer throws(ImageInputError) in
            try predictor.preprocessor.prepare(bytes, workspace: predictor.preprocessor.makeWorkspace(), into: buffer.baseAddress!)
        }
        #expect(got == expected)
        let p = try predictor.predict([bytes])[0].get()
        #expect(p.count == 4)
        #expect(abs(p.reduce(0, +) - 1) < 1e-5)
    }

    /// Trained without `resize` on validation images that all had one shorter side (which
    /// validation cropped unresized): the endpoint resizes requests to that side, so images
    /// like validation's get validation's input. A malformed record is a named error.
    @Test func theValidationShorterSideIsTheEndpointsResize() throws {
        let folder = TemporaryFolders.url("pre")
        try FileManager.default.copyItem(at: Fixtures.model("resnet8-3x28x28"), to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let contract = folder.appendingPathComponent("preprocessing-contract.json")
        try Data(#"{"image_shape": [3, 28, 28], "multi_label": false, "validation_shorter_side": 45}"#.utf8).write(to: contract)
        let predictor = try Predictor(contentsOf: folder)
        #expect(predictor.preprocessor.resize == 45)
        let bytes = Fixtures.bytes("rgb-60x45.jpg")
        let image = try ImageDecoder.decode(bytes, options: DecodeOptions(channels: 3))
        var expected = [Float](repeating: 0, count: 3 * 28 * 28)
        var rng = SampleRNG(seed: 1)
        // A 60x45 validation image with shorter side 45 is centre-cropped unresized.
        let validation = Augmenter(imageShape: [3, 28, 28], resize: nil, params: .none)
        expected.withUnsafeMutableBufferPointer {
            validation.process(image, rng: &rng, workspace: AugmentWorkspace(width: 28, height: 28, channels: 3), into: $0.baseAddress!)
        }
        var got = [Float](repeating: 0, count: 3 * 28 * 28)
        try got.withUnsafeMutableBufferPointer { buffer throws(ImageInputError) in
            try predictor.preprocessor.prepare(bytes, workspace: predictor.preprocessor.makeWorkspace(), into: buffer.baseAddress!)
        }
        #expect(got == expected)

        try Data(#"{"image_shape": [3, 28, 28], "multi_label": false, "validation_shorter_side": 1e30}"#.utf8).write(to: contract)
        let error = #expect(throws: (any Error).self) { try Predictor(contentsOf: folder) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("preprocessing-contract.json"))
    }

    /// A model trained with the contract recorded: the predictor takes its shape, resize and
    /// head from it (`preprocessing-contract.json`), not from the hyperparameters' strings.
    @Test func theRecordedContractDrivesPreprocessing() throws {
        let folder = Fixtures.temporaryFolder("contract")
        defer { try? FileManager.default.removeItem(at: folder) }
        var artifact = try ModelArtifact.load(from: Fixtures.model("resnet8-3x28x28"))
        artifact.preprocessing = PreprocessingContract(imageShape: [3, 28, 28], resize: 32, numClasses: 4, multiLabel: false)
        artifact.hyperparameters = ["resize": "40", "image_shape": "3,28,28"]
        try artifact.write(to: folder)
        let predictor = try Predictor(contentsOf: folder)
        #expect(predictor.contract == artifact.preprocessing)
        #expect(predictor.preprocessor.resize == 32)
        #expect(predictor.imageShape == [3, 28, 28] && !predictor.multiLabel)
    }

    /// An exact-size image reaches the network byte for byte (no resampling).
    @Test func exactSizeIsUnchanged() throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"))
        let bytes = Fixtures.bytes("rgb0.png")
        let image = try ImageDecoder.decode(bytes, options: DecodeOptions(channels: 3))
        var got = [Float](repeating: -1, count: 3 * 28 * 28)
        try got.withUnsafeMutableBufferPointer { buffer throws(ImageInputError) in
            try predictor.preprocessor.prepare(bytes, workspace: predictor.preprocessor.makeWorkspace(), into: buffer.baseAddress!)
        }
        for c in 0..<3 {
            for i in 0..<(28 * 28) { #expect(got[c * 784 + i] == Float(image.pixels[i * 3 + c])) }
        }
    }

    /// A bad image gets its own error; the good ones in the same call are still classified.
    @Test func badImagesFailAlone() throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"),
                                      options: PredictorOptions(maxPixels: 1_000_000))
        let good = Fixtures.bytes("rgb0.png")
        let results = predictor.predict([[], Array("hello".utf8), Array(good.prefix(good.count / 2)), good,
                                         TestImages.pngHeader(width: 20000, height: 20000)])
        #expect(results[0] == .failure(.image(.empty)))
        #expect(results[1] == .failure(.image(.unknownFormat)))
        guard case .failure(.image(.corrupt)) = results[2] else { Issue.record("truncated PNG: \(results[2])"); return }
        let p = try results[3].get()
        #expect(Fixtures.maxDiff(p, Fixtures.expected["resnet8-3x28x28"]!["rgb0.png"]!) < 1e-5)
        #expect(results[4] == .failure(.image(.tooLarge(width: 20000, height: 20000, limit: 1_000_000))))
    }

    /// The 8192-pixel side limit holds for predict, transform and evaluate (all through
    /// `predict`) and the server's header check, for PNG and JPEG, however few the pixels.
    @Test func aSideOver8192IsRefusedNamingIt() throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"))
        let wide = Image(width: 9000, height: 1, channels: 3, fill: 100), tall = Image(width: 1, height: 9000, channels: 3, fill: 100)
        let images = [try ImageEncoder.png(wide), try ImageEncoder.jpeg(wide, quality: 90), try ImageEncoder.png(tall),
                      Fixtures.bytes("rgb0.png")]
        let results = predictor.predict(images)
        #expect(results[0] == .failure(.image(.sideTooLong(width: 9000, height: 1, limit: 8192))))
        #expect(results[1] == .failure(.image(.sideTooLong(width: 9000, height: 1, limit: 8192))))
        #expect(results[2] == .failure(.image(.sideTooLong(width: 1, height: 9000, limit: 8192))))
        #expect((try? results[3].get()) != nil)
        #expect(throws: ImageInputError.image(.sideTooLong(width: 9000, height: 1, limit: 8192))) {
            try predictor.preprocessor.checkHeader(images[0])
        }
        #expect("\(ImageInputError.image(.sideTooLong(width: 1, height: 9000, limit: 8192)))"
                == "image too large: 1x9000, its height 9000 is over the limit of 8192 pixels per side")
    }

    /// Batches larger than maxBatch are split; executors are compiled per size and reused.
    @Test func splitsLargeBatches() throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"), options: PredictorOptions(maxBatch: 3))
        let images = (0..<7).map { Fixtures.bytes($0 % 2 == 0 ? "rgb0.png" : "rgb1.png") }
        let results = predictor.predict(images)
        #expect(predictor.forwardPasses == 3)
        for (i, r) in results.enumerated() {
            let want = Fixtures.expected["resnet8-3x28x28"]![i % 2 == 0 ? "rgb0.png" : "rgb1.png"]!
            #expect(Fixtures.maxDiff(try r.get(), want) < 1e-5)
        }
    }

    /// Executors past the memory budget are dropped, least recently used first; the one in
    /// use always stays, and results do not change.
    @Test func executorCacheKeepsToItsBudget() throws {
        let tight = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"),
                                  options: PredictorOptions(executorMemoryBudget: 1))
        let roomy = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"), options: PredictorOptions(cachedExecutors: 3))
        for n in [2, 3, 1, 4] {
            let images = (0..<n).map { _ in Fixtures.bytes("rgb1.png") }
            for result in tight.predict(images) + roomy.predict(images) {
                #expect(Fixtures.maxDiff(try result.get(), Fixtures.expected["resnet8-3x28x28"]!["rgb1.png"]!) < 1e-5)
            }
        }
        #expect(tight.compiledBatchSizes == [4])
        #expect(roomy.compiledBatchSizes == [1, 3, 4])
    }

    @Test func bareCheckpointNeedsAShape() throws {
        let folder = Fixtures.temporaryFolder("bare")
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["image-classification-symbol.json", "image-classification-0000.params"] {
            try FileManager.default.copyItem(at: Fixtures.model("resnet8-3x28x28").appendingPathComponent(name),
                                             to: folder.appendingPathComponent(name))
        }
        #expect(throws: PredictorError.self) { try Predictor(contentsOf: folder) }
        let p = try Predictor(contentsOf: folder, options: PredictorOptions(imageShape: [3, 28, 28]))
        #expect(p.numClasses == 4)
    }
}

/// Hand-made image bytes for error cases.
enum TestImages {
    /// A small PNG file whose header declares `width` x `height` RGB: signature, IHDR, a few
    /// bytes of IDAT and IEND (what a decompression bomb looks like before decoding).
    static func pngHeader(width: Int, height: Int) -> [UInt8] {
        func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let body = Array(type.utf8) + data
            return be32(data.count) + body + be32(Int(crc32(body)))
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", be32(width) + be32(height) + [8, 2, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
            + chunk("IEND", [])
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
