import Foundation
import Models
import TestFixtures
import Testing

/// The artifact's own JSON files (`hyperparameters.json`, `training-history.json`): written as
/// one typed record each, read back as the same record, and a malformed one refused at load
/// by file name and what it should hold, never dropped in silence.
@Suite(.removesTemporaryFolders)
struct ArtifactSideFileTests {
    static let model = SharedFixtures.model("resnet20-3x28x28-multilabel")

    static let history = [
        EpochRecord(epoch: 0, trainAccuracy: 0.5, trainTopKAccuracy: nil, validationAccuracy: 0.25, validationTopKAccuracy: nil,
                    trainLoss: 1.5, seconds: 3, learningRate: 0.1, skippedImages: 0, imagesPerSecond: 120),
        EpochRecord(epoch: 1, trainAccuracy: 0.75, trainTopKAccuracy: 0.875, validationAccuracy: 0.5, validationTopKAccuracy: 0.75,
                    trainLoss: 0.5, seconds: 2.5, learningRate: 0.01, skippedImages: 2, imagesPerSecond: nil),
    ]

    /// A copy of the fixture with `file` holding `text`.
    func artifact(with file: String, _ text: String) throws -> URL {
        let folder = TemporaryFolders.url("side-file")
        try FileManager.default.copyItem(at: Self.model, to: folder)
        try Data(text.utf8).write(to: folder.appendingPathComponent(file))
        return folder
    }

    /// What loading `folder` throws, as text ("" when it loads).
    func loadError(_ folder: URL) -> String {
        do {
            _ = try ModelArtifact.load(from: folder)
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func theHistoryRoundTripsWithTrainingsKeys() throws {
        var a = try ModelArtifact.load(from: Self.model)
        a.history = Self.history
        let folder = try TemporaryFolders.make("history")
        try a.write(to: folder)
        let written = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent(ModelArtifact.historyFile))) as? [[String: Any]])
        #expect(Set(written[1].keys) == ["epoch", "trainAccuracy", "trainTopKAccuracy", "validationAccuracy", "validationTopKAccuracy",
                                         "trainLoss", "seconds", "learningRate", "skippedImages"])
        #expect(try ModelArtifact.load(from: folder).history == Self.history)
        #expect(EpochRecord.validationAccuracy(in: Self.history, checkpoint: 2) == 0.5)
        #expect(EpochRecord.validationAccuracy(in: Self.history, checkpoint: 5) == nil)
    }

    @Test(arguments: ["{\"epoch\": 1", "{\"epoch\": 1}", "[{\"epoch\": \"one\"}]", "[1, 2]"])
    func aMalformedHistoryIsNamed(text: String) throws {
        let message = loadError(try artifact(with: ModelArtifact.historyFile, text))
        #expect(message.contains("training-history.json") && message.contains("expected a JSON array of epochs"), "\(message)")
    }

    @Test func hyperparametersAreRead() throws {
        let folder = try artifact(with: ModelArtifact.hyperparametersFile, "{\"num_layers\": \"20\", \"multi_label\": \"1\"}")
        #expect(try ModelArtifact.load(from: folder).hyperparameters == ["num_layers": "20", "multi_label": "1"])
    }

    @Test(arguments: [
        ("{\"num_layers\": 18", nil),
        ("[\"num_layers\", \"18\"]", nil),
        ("{\"epochs\": \"3\", \"num_layers\": 18}", "num_layers is not a string"),
        ("{\"use_pretrained_model\": null}", "use_pretrained_model is not a string"),
    ] as [(String, String?)])
    func malformedHyperparametersAreNamed(text: String, key: String?) throws {
        let message = loadError(try artifact(with: ModelArtifact.hyperparametersFile, text))
        #expect(message.contains("hyperparameters.json")
                && message.contains("expected a JSON object of hyperparameter names and string values"), "\(message)")
        if let key { #expect(message.contains(key), "\(message)") }
    }
}
