import Foundation
import Graph
import Models
import Testing

/// The preprocessing contract: what training records, and how artifacts without it (the
/// service's with only `hyperparameters.json`, MXNet's with neither) get theirs.
struct PreprocessingContractTests {
    static let mxnet = ModelArtifactTests.folder

    func temporaryFolder() throws -> URL { try ModelArtifactTests().temporaryFolder() }

    @Test func recordedContractRoundTrips() throws {
        var a = try ModelArtifact.load(from: Self.mxnet)
        let contract = PreprocessingContract(imageShape: [3, 28, 28], resize: nil, validationShorterSide: 45, numClasses: 5, multiLabel: true)
        a = ModelArtifact(symbol: a.symbol, parameters: a.parameters, epoch: 1, imageShape: a.imageShape, preprocessing: contract)
        let out = try temporaryFolder()
        try a.write(to: out)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(ModelArtifact.contractFile))) as? [String: Any]
        #expect(json?["channels"] as? Int == 3)
        let back = try ModelArtifact.load(from: out)
        #expect(back.preprocessing == contract)
        #expect(back.preprocessingContract() == contract)
        #expect(back.preprocessingContract()?.endpointResize == 45)
        #expect(back.preprocessingContract(imageShape: [1, 32, 32])?.imageShape == [1, 32, 32])
        #expect(back.imageShapeFile == ModelArtifact.contractFile)
    }

    /// An artifact without the contract: derived from `hyperparameters.json` and
    /// `model-shapes.json`.
    @Test func artifactsWithoutTheContractGetItDerived() throws {
        let out = try temporaryFolder()
        try FileManager.default.copyItem(at: Self.mxnet, to: out.appendingPathComponent("m"))
        let folder = out.appendingPathComponent("m")
        try Data(#"{"num_classes": "5", "image_shape": "3,28,28"}"#.utf8).write(to: folder.appendingPathComponent(ModelArtifact.hyperparametersFile))
        let a = try ModelArtifact.load(from: folder)
        #expect(a.preprocessing == nil)
        // The MXNet model's head is a LogisticRegressionOutput: multi-label.
        #expect(a.preprocessingContract() == PreprocessingContract(imageShape: [3, 28, 28], numClasses: 5, multiLabel: true))
        #expect(a.imageShapeFile == "model-shapes.json")
    }

    /// The service's artifacts: hyperparameters.json's strings, read as the endpoint always did.
    @Test func derivesFromTheServicesHyperparameters() {
        let c = PreprocessingContract(hyperparameters: ["image_shape": "1, 32, 32", "resize": "40", "multi_label": "1", "num_classes": "7"],
                                      imageShape: nil, sigmoidHead: false)
        #expect(c == PreprocessingContract(imageShape: [1, 32, 32], resize: 40, numClasses: 7, multiLabel: true))
        #expect(c?.channels == 1 && c?.endpointResize == 40)
        // A resize that is not a positive integer is unset; H is then the endpoint's side.
        let unset = PreprocessingContract(hyperparameters: ["image_shape": "3,28,28", "resize": "0"], imageShape: nil,
                                          sigmoidHead: false)
        #expect(unset?.resize == nil && unset?.endpointResize == 28 && unset?.multiLabel == false)
        // model-shapes.json's shape wins over hyperparameters.json's; without either, none.
        #expect(PreprocessingContract(hyperparameters: ["image_shape": "3,28,28"], imageShape: [3, 20, 20],
                                      sigmoidHead: false)?.imageShape == [3, 20, 20])
        #expect(PreprocessingContract(hyperparameters: [:], imageShape: nil, sigmoidHead: false) == nil)
    }

    @Test(arguments: [
        #"{"image_shape": [3, 28, 28], "multi_label": false, "resize": 1e30}"#,
        #"{"image_shape": [3, 60000, 28], "multi_label": false}"#,
        #"{"image_shape": [3, 28, 28], "channels": 1, "multi_label": false}"#,
        #"{"image_shape": [3, 28, 28], "multi_label": false, "num_classes": 1}"#,
        #"{"validation_shorter_side": 28}"#,
    ])
    func badContractFilesAreNamedErrors(text: String) throws {
        let out = try temporaryFolder()
        let folder = out.appendingPathComponent("m")
        try FileManager.default.copyItem(at: Self.mxnet, to: folder)
        try Data(text.utf8).write(to: folder.appendingPathComponent(ModelArtifact.contractFile))
        #expect {
            _ = try ModelArtifact.load(from: folder)
        } throws: { error in
            "\(error)".contains(ModelArtifact.contractFile) && "\(error)".contains(folder.path)
        }
    }

    /// A number no Float holds is named with its key, not only "expected ...".
    @Test func aNumberOutsideTheFloatRangeIsNamed() throws {
        let out = try temporaryFolder()
        let folder = out.appendingPathComponent("m")
        try FileManager.default.copyItem(at: Self.mxnet, to: folder)
        try Data(#"{"image_shape": [3, 28, 28], "multi_label": false, "resize": 1e39}"#.utf8)
            .write(to: folder.appendingPathComponent(ModelArtifact.contractFile))
        #expect {
            _ = try ModelArtifact.load(from: folder)
        } throws: { error in
            "\(error)".contains(ModelArtifact.contractFile) && "\(error)".contains("resize: 1e39 is outside the float range")
        }
    }

    /// A run's checkpoint files: listed, copied, pruned; other runs' files are named.
    @Test func checkpointFilesOfARun() throws {
        let a = try ModelArtifact.load(from: Self.mxnet)
        let out = try temporaryFolder(), copies = try temporaryFolder()
        var b = a
        for epoch in [1, 2] { b.epoch = epoch; try b.write(to: out) }
        try Data().write(to: out.appendingPathComponent("other.params"))
        #expect(try ModelArtifact.checkpointFiles(in: out) == ["image-classification-0001.params", "image-classification-0002.params"])
        #expect(ModelArtifact.foreignFiles(in: out, keeping: [2]) == ["image-classification-0001.params", "other.params"])
        try ModelArtifact.copy("image-classification-0002.params", from: out, to: copies)
        #expect(ModelArtifact.holds("image-classification-0002.params", in: copies))
        ModelArtifact.prune(epoch: 2, in: [out, copies])
        #expect(try ModelArtifact.checkpointFiles(in: out) == ["image-classification-0001.params"])
        #expect(try ModelArtifact.checkpointFiles(in: copies).isEmpty)
        let archive = try ModelArtifact.pack(["image-classification-0001.params"], in: out)
        #expect(try TarGz.read(contentsOf: archive).keys.sorted() == ["image-classification-0001.params"])
    }
}
