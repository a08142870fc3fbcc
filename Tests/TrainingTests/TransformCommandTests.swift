import Foundation
import TestFixtures
import Testing

/// `imgclf transform` as the service's batch transform runs: the Accept type chooses each
/// `.out` body, a failed image gets an error line, and the job fails past --max-failed.
@Suite(.serialized, .removesTemporaryFolders)
struct TransformCommandTests {
    static let model = SharedFixtures.model("resnet8-3x28x28")
    static let images = SharedFixtures.url("images")

    /// A folder with two real images and one that is not an image.
    func inputFolder() throws -> URL {
        let folder = MNISTSample.temporaryFolder("transform-in")
        let fm = FileManager.default
        try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["rgb0.png", "rgb-60x45.jpg"] {
            try fm.copyItem(at: Self.images.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("broken.png"))
        return folder
    }

    @Test func acceptChoosesTheBodyAndFailuresCount() throws {
        let input = try inputFolder()
        let json = MNISTSample.temporaryFolder("transform-json")
        let strict = try ImgclfBinary.run(["transform", "--model", Self.model.path, "--input", input.path, "--output", json.path,
                                           "--accept", "application/json"])
        // One image failed and --max-failed is 0: the job fails, saying how many.
        #expect(strict.status != 0, "\(strict.output)")
        #expect(strict.output.contains("1 image(s) failed"), "\(strict.output)")
        let array = try JSONSerialization.jsonObject(with: Data(contentsOf: json.appendingPathComponent("rgb0.png.out"))) as? [Double]
        #expect(array?.count == 4, "application/json: a JSON array of the probabilities")
        let error = try JSONSerialization.jsonObject(with: Data(contentsOf: json.appendingPathComponent("broken.png.out"))) as? [String: Any]
        #expect(error?["error"] != nil, "the failed image gets an error line")

        let lines = MNISTSample.temporaryFolder("transform-lines")
        let allowed = try ImgclfBinary.run(["transform", "--model", Self.model.path, "--input", input.path, "--output", lines.path,
                                            "--accept", "application/jsonlines", "--max-failed", "1"])
        #expect(allowed.status == 0, "\(allowed.output)")
        let line = try JSONSerialization.jsonObject(with: Data(contentsOf: lines.appendingPathComponent("rgb-60x45.jpg.out"))) as? [String: Any]
        #expect((line?["prediction"] as? [Double])?.count == 4, "application/jsonlines: {\"prediction\": [...]}")

        let refused = try ImgclfBinary.run(["transform", "--model", Self.model.path, "--input", input.path, "--output", lines.path,
                                            "--accept", "text/csv"])
        #expect(refused.status != 0 && refused.output.contains("--accept"), "\(refused.output)")
    }
}
