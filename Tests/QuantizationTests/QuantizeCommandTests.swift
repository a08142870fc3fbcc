import Foundation
import TestFixtures
import Testing

/// `imgclf quantize` and `--precision int8`, run as a user runs them, on MXNet's own ResNet-20
/// artifact, calibrated on the bundled digits.
@Suite(.serialized, .removesTemporaryFolders)
struct QuantizeCommandTests {
    static let digits = ImgclfBinary.repository.appendingPathComponent("sample/mnist")
    static let model = SharedFixtures.model("resnet20-1x28x28").path

    /// Ten validation digits of each of the first two classes.
    static func images() throws -> [String] {
        try (0..<2).flatMap { digit -> [String] in
            let folder = digits.appendingPathComponent("validation/\(digit)")
            return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().prefix(10)
                .map { folder.appendingPathComponent($0).path }
        }
    }

    /// Each JSON line's probabilities, in image order.
    static func probabilities(_ output: String) throws -> [[Double]] {
        try output.split(separator: "\n").filter { $0.hasPrefix("{") }.map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["probabilities"] as? [Double], "\(line)")
        }
    }

    @Test func quantizeThenPredictInInt8() throws {
        let output = TemporaryFolders.url("int8-model")
        let quantize = try ImgclfBinary.run(["quantize", "--model", Self.model, "--calibration", Self.digits.appendingPathComponent("train").path,
                                             "--calibration-images", "64", "--output", output.path])
        #expect(quantize.status == 0, "\(quantize.output)")
        #expect(quantize.output.contains("calibrated on 64 image(s)"), "\(quantize.output)")
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("quantization.json").path))

        let images = try Self.images()
        let float = try ImgclfBinary.run(["predict", "--model", Self.model] + images)
        let int8 = try ImgclfBinary.run(["predict", "--model", output.path, "--precision", "int8"] + images)
        let byDefault = try ImgclfBinary.run(["predict", "--model", output.path] + images)
        let forcedFloat = try ImgclfBinary.run(["predict", "--model", output.path, "--precision", "float32"] + images)
        #expect(float.status == 0 && int8.status == 0 && byDefault.status == 0 && forcedFloat.status == 0, "\(int8.output)")
        let f = try Self.probabilities(float.output), q = try Self.probabilities(int8.output)
        #expect(f.count == 20 && q.count == 20)
        let worst = zip(f, q).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
        #expect(worst > 0 && worst < 0.05, "largest |p_int8 - p_float32| \(worst)")
        #expect(try Self.probabilities(byDefault.output) == q, "a quantized artifact runs in int8 by default")
        #expect(try Self.probabilities(forcedFloat.output) == f, "--precision float32 runs a quantized artifact in float")
    }

    @Test func int8NeedsAQuantizedArtifact() throws {
        let result = try ImgclfBinary.run(["predict", "--model", Self.model, "--precision", "int8", try Self.images()[0]])
        #expect(result.status != 0)
        #expect(result.output.contains("int8 needs a quantized artifact") && result.output.contains("imgclf quantize"), "\(result.output)")
    }

    @Test func badCalibrationAndOutputsAreNamed() throws {
        let empty = TemporaryFolders.url("empty-calibration")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let cases: [([String], String)] = [
            (["--calibration", empty.path, "--output", TemporaryFolders.url("m8").path], "no calibration images"),
            (["--calibration", "/nonexistent/digits", "--output", TemporaryFolders.url("m8").path], "no such file or folder"),
            (["--calibration", Self.digits.appendingPathComponent("train").path, "--output", Self.model], "the output is the input model"),
            (["--calibration", Self.digits.appendingPathComponent("train").path, "--output", "/nonexistent/folder/m8"], "does not exist"),
            (["--calibration", Self.digits.appendingPathComponent("train").path, "--output", TemporaryFolders.url("m8").path,
              "--calibration-images", "0"], "--calibration-images must be from 1"),
        ]
        for (arguments, message) in cases {
            let result = try ImgclfBinary.run(["quantize", "--model", Self.model] + arguments)
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
            #expect(!result.output.contains("Fatal error"), "\(result.output)")
        }
    }
}
