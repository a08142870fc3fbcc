import Foundation
import Graph
import Models
import TestFixtures
import Testing

/// The artifact layout against files MXNet 1.9.1 wrote (the shared fixtures'
/// `models/resnet20-3x28x28-multilabel`, a parity model saved by `Module.save_checkpoint`).
@Suite(.removesTemporaryFolders)
struct ModelArtifactTests {
    static let folder = SharedFixtures.model("resnet20-3x28x28-multilabel")

    /// A fresh empty folder, removed when the test ends (`TemporaryFolders`).
    func temporaryFolder() throws -> URL { try TemporaryFolders.make("artifact") }

    @Test func loadsWhatMXNetWrote() throws {
        let a = try ModelArtifact.load(from: Self.folder)
        #expect(a.epoch == 0)
        #expect(a.imageShape == [3, 28, 28])
        #expect(a.symbol.nodes.last?.op == "LogisticRegressionOutput")
        #expect(a.parameters.contains { $0.name == "arg:fc1_weight" })
        #expect(a.classNames == nil)
    }

    /// Rewriting MXNet's artifact gives MXNet's bytes back (so MXNet reads ours), and the
    /// tar.gz round-trips with our extra files.
    @Test func writesMXNetBytesAndRoundTripsThroughTarGz() throws {
        var a = try ModelArtifact.load(from: Self.folder)
        a.classNames = ["cat", "dog", "zebra", "owl", "ant"]
        a.hyperparameters = ["num_classes": "5", "multi_label": "1"]
        a.epoch = 3
        let out = try temporaryFolder()
        let archive = try a.writeArchive(to: out)
        for name in ["image-classification-symbol.json"] {
            #expect(try Data(contentsOf: out.appendingPathComponent(name)) == Data(contentsOf: Self.folder.appendingPathComponent(name)))
        }
        #expect(try Data(contentsOf: out.appendingPathComponent("image-classification-0003.params"))
            == Data(contentsOf: Self.folder.appendingPathComponent("image-classification-0000.params")))
        let back = try ModelArtifact.load(from: archive)
        #expect(back.epoch == 3)
        #expect(back.classNames == a.classNames)
        #expect(back.hyperparameters == a.hyperparameters)
        #expect(back.imageShape == [3, 28, 28])
        #expect(back.parameters.map(\.name) == a.parameters.map(\.name))
        #expect(back.parameters.map(\.array) == a.parameters.map(\.array))
    }

    @Test func picksTheHighestCheckpointUnlessOneIsNamed() throws {
        let a = try ModelArtifact.load(from: Self.folder)
        let out = try temporaryFolder()
        var b = a
        for epoch in [2, 10, 7] { b.epoch = epoch; try b.write(to: out) }
        #expect(try ModelArtifact.load(from: out).epoch == 10)
        #expect(try ModelArtifact.load(from: out, epoch: 7).epoch == 7)
        #expect(throws: ModelArtifact.ArtifactError.self) { try ModelArtifact.load(from: out, epoch: 5) }
    }

    @Test func badArtifactsAreNamedErrors() throws {
        let out = try temporaryFolder()
        #expect(throws: ModelArtifact.ArtifactError.self) { try ModelArtifact.load(from: out) }
        #expect(throws: ModelArtifact.ArtifactError.self) { try ModelArtifact.load(from: out.appendingPathComponent("nope.tar.gz")) }
        // A truncated archive.
        let good = try ModelArtifact.load(from: Self.folder).writeArchive(to: out)
        let bytes = try Data(contentsOf: good)
        let cut = out.appendingPathComponent("cut.tar.gz")
        try bytes.prefix(bytes.count / 2).write(to: cut)
        #expect(throws: (any Error).self) { try ModelArtifact.load(from: cut) }
        // Not an archive at all.
        let text = out.appendingPathComponent("text.tar.gz")
        try Data("hello".utf8).write(to: text)
        #expect(throws: (any Error).self) { try ModelArtifact.load(from: text) }
    }

    /// Packs `members` (archive path → file in `folder`) into an archive in `folder`.
    func archive(_ members: [(String, URL)], in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent("model.tar.gz")
        try TarGz.write(members.map { (name: $0.0, path: $0.1) }, to: url)
        return url
    }

    /// Two members with the same file name in different folders: an error naming both, the
    /// same on every run (no member chosen by dictionary order).
    @Test func sameFileNameInTwoFoldersIsAmbiguous() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let a = try ModelArtifact.load(from: Self.folder)
        let files = out.appendingPathComponent("files")
        try a.write(to: files)
        let symbol = files.appendingPathComponent("image-classification-symbol.json")
        let params = files.appendingPathComponent("image-classification-0000.params")
        let url = try archive([("run1/image-classification-symbol.json", symbol), ("run1/image-classification-0000.params", params),
                               ("run2/image-classification-0000.params", params)], in: out)
        for _ in 0..<3 {
            do {
                _ = try ModelArtifact.load(from: url)
                Issue.record("an ambiguous archive was loaded")
            } catch let error as ModelArtifact.ArtifactError {
                let text = "\(error)"
                #expect(text.contains("run1/image-classification-0000.params") && text.contains("run2/image-classification-0000.params"), "\(text)")
            }
        }
        // One copy in a sub-folder is fine.
        let single = try archive([("model/image-classification-symbol.json", symbol), ("model/image-classification-0000.params", params)], in: out)
        #expect(try ModelArtifact.load(from: single).epoch == 0)
    }

    /// A model channel as the SDK's local mode fills it for incremental training: the earlier
    /// job's `model.tar.gz` and its `output.tar.gz`. The one named model.tar.gz is the model;
    /// several archives without that name stay an error naming them all.
    @Test func aModelChannelPrefersModelTarGz() throws {
        let channel = try temporaryFolder()
        var a = try ModelArtifact.load(from: Self.folder)
        a.epoch = 3
        let files = try temporaryFolder()
        _ = try a.writeArchive(to: files)
        try FileManager.default.copyItem(at: files.appendingPathComponent("model.tar.gz"), to: channel.appendingPathComponent("model.tar.gz"))
        let success = channel.appendingPathComponent("success")
        try Data().write(to: success)
        try TarGz.write([(name: "success", path: success)], to: channel.appendingPathComponent("output.tar.gz"))
        try FileManager.default.removeItem(at: success)
        let loaded = try ModelArtifact.load(from: channel)
        #expect(loaded.epoch == 3 && loaded.parameters.map(\.array) == a.parameters.map(\.array))

        try FileManager.default.moveItem(at: channel.appendingPathComponent("model.tar.gz"), to: channel.appendingPathComponent("run1.tar.gz"))
        do {
            _ = try ModelArtifact.load(from: channel)
            Issue.record("a channel of two archives, neither model.tar.gz, was loaded")
        } catch let error as ModelArtifact.ArtifactError {
            let text = "\(error)"
            #expect(text.contains("output.tar.gz") && text.contains("run1.tar.gz") && text.contains("none named model.tar.gz"), "\(text)")
        }
    }

    /// Weights that make every answer NaN are refused at load, naming the file, the array and
    /// the value: a non-finite weight, and a negative BatchNorm variance.
    @Test(arguments: [("fc1_weight", Float.nan, "a model's weights must be finite"),
                      ("fc1_bias", Float.infinity, "a model's weights must be finite"),
                      ("_moving_var", Float(-0.5), "a BatchNorm variance cannot be negative")])
    func weightsThatCannotWorkAreRefused(suffix: String, value: Float, expected: String) throws {
        var a = try ModelArtifact.load(from: Self.folder)
        let index = try #require(a.parameters.firstIndex { $0.name.hasSuffix(suffix) })
        var values = a.parameters[index].array.floats()
        values[values.count - 1] = value
        a.parameters[index].array = NDArray(shape: a.parameters[index].array.shape, floats: values)
        let out = try temporaryFolder()
        try a.write(to: out)
        do {
            _ = try ModelArtifact.load(from: out)
            Issue.record("a model with \(value) in \(suffix) was loaded")
        } catch let error as ModelArtifact.ArtifactError {
            let text = "\(error)"
            #expect(text.contains(a.parameters[index].name) && text.contains("index \(values.count - 1)") && text.contains(expected), "\(text)")
        }
    }

    /// Two symbol files with different prefixes: an error, not a preference.
    @Test func twoSymbolFilesAreAmbiguous() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        let a = try ModelArtifact.load(from: Self.folder)
        try a.write(to: out)
        try a.symbol.write(to: out.appendingPathComponent("resnet-20-symbol.json"))
        try ParamsFile.write(a.parameters, to: out.appendingPathComponent("resnet-20-0000.params"))
        do {
            _ = try ModelArtifact.load(from: out)
            Issue.record("a folder with two symbol files was loaded")
        } catch let error as ModelArtifact.ArtifactError {
            #expect("\(error)".contains("image-classification-symbol.json") && "\(error)".contains("resnet-20-symbol.json"), "\(error)")
        }
    }

    /// Only four-digit numbers name checkpoints, so no two files claim the same epoch.
    @Test func checkpointNumbersAreFourDigits() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        var a = try ModelArtifact.load(from: Self.folder)
        a.epoch = 1
        try a.write(to: out)
        try Data("not params".utf8).write(to: out.appendingPathComponent("image-classification-+002.params"))
        #expect(try ModelArtifact.load(from: out).epoch == 1)
    }

    /// Replacing an archive goes through a temporary file: a write that fails midway leaves
    /// the old archive complete, and no temporary file is left behind.
    @Test func aFailedRewriteKeepsTheOldArchive() throws {
        let out = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: out) }
        var a = try ModelArtifact.load(from: Self.folder)
        let url = try a.writeArchive(to: out)
        let before = try Data(contentsOf: url)
        #expect(throws: (any Error).self) {
            try TarGz.write([(name: "gone.params", path: out.appendingPathComponent("no-such-file"))], to: url)
        }
        #expect(try Data(contentsOf: url) == before)
        a.epoch = 4
        _ = try a.writeArchive(to: out)
        #expect(try ModelArtifact.load(from: url).epoch == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).allSatisfy { !$0.hasPrefix(".") })
    }
}
