import Foundation
import Models
import TestFixtures
import Testing
import Training

/// multi_label=1 on real digits: three overlapping properties of each digit as multi-hot
/// labels in a `.lst` (even; greater than 4; a 0 or a 1).
@Suite(.serialized, .removesTemporaryFolders)
struct MultiLabelTrainingTests {
    static func properties(_ digit: Int) -> [Int] { [digit % 2 == 0 ? 1 : 0, digit > 4 ? 1 : 0, digit <= 1 ? 1 : 0] }

    /// A `.lst` over `split` of the sample: `perClass` images of each digit.
    static func list(_ split: String, perClass: Int) throws -> URL {
        let root = MNISTSample.root.appendingPathComponent(split)
        var lines: [String] = []
        var index = 0
        for digit in 0..<10 {
            let files = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(String(digit)).path).sorted().prefix(perClass)
            for f in files {
                let labels = properties(digit).map { String(format: "%f", Double($0)) }.joined(separator: "\t")
                lines.append("\(index)\t\(labels)\t\(digit)/\(f)")
                index += 1
            }
        }
        let url = TemporaryFolders.url("multilabel", pathExtension: "lst")
        try lines.joined(separator: "\n").appending("\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    func train(weighted: Bool, trainPerClass: Int, validationPerClass: Int, epochs: Int) throws -> TrainingResult {
        let trainList = try Self.list("train", perClass: trainPerClass), validList = try Self.list("validation", perClass: validationPerClass)
        let hp = try MNISTSample.hyperparameters(["multi_label": "1", "epochs": String(epochs), "use_weighted_loss": weighted ? "1" : "0"],
                                                 trainCount: 10 * trainPerClass, classes: 3)
        let out = MNISTSample.temporaryFolder("model")
        let job = TrainingJob(hyperparameters: hp,
                              train: Channel(name: "train", path: MNISTSample.root.appendingPathComponent("train"), lst: trainList),
                              validation: Channel(name: "validation", path: MNISTSample.root.appendingPathComponent("validation"), lst: validList),
                              outputDir: out, loaderThreads: 1, seed: 5)
        return try Trainer(job: job, log: MNISTSample.Lines().log).run()
    }

    /// The artifact of a multi-label run: a logistic head and multi_label recorded (a short
    /// run, so a format failure is reported apart from the learning run below).
    @Test(arguments: [false, true])
    func writesAMultiLabelArtifact(weighted: Bool) throws {
        let result = try train(weighted: weighted, trainPerClass: 10, validationPerClass: 5, epochs: 1)
        let artifact = try ModelArtifact.load(from: try #require(result.artifact))
        #expect(artifact.symbol.nodes.last?.op == "LogisticRegressionOutput")
        #expect(artifact.hyperparameters?["multi_label"] == "1")
    }

    /// A long accuracy run (IMGCLF_LONG_TESTS=1): 600 digits for 4 epochs, each way.
    @Test(.longRun, arguments: [false, true])
    func learnsOverlappingLabels(weighted: Bool) throws {
        let result = try train(weighted: weighted, trainPerClass: 60, validationPerClass: 20, epochs: 4)
        // Guessing the majority of each property scores 0.6 here (0.5, 0.5, 0.8).
        #expect(result.bestValidationAccuracy > 0.75, "multi-label accuracy \(result.bestValidationAccuracy)")
    }
}
