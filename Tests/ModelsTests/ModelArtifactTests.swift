import Foundation
import Graph
import Models
import Testing

/// The artifact layout against files MXNet 1.9.1 wrote (`Resources/artifact`, a parity
/// model saved by `Module.save_checkpoint`).
struct ModelArtifactTests {
    static let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent("artifact")

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

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
}
