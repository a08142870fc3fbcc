import ImageData
import Foundation
import TestFixtures
import Testing
import Training

/// Validation's class folders take the train channel's classes by name: a renamed or extra
/// folder is an error naming it before any training, a missing class a note.
@Suite(.serialized, .removesTemporaryFolders)
struct ValidationClassMatchingTests {
    func job(train: URL, validation: URL, output: URL) throws -> TrainingJob {
        let hp = try MNISTSample.hyperparameters(["epochs": "1", "mini_batch_size": "10", "num_layers": "8"], trainCount: 20)
        return TrainingJob(hyperparameters: hp, train: Channel(name: "train", path: train),
                           validation: Channel(name: "validation", path: validation),
                           outputDir: output, loaderThreads: 1, seed: 3)
    }

    /// `c0_digit0` renamed `zz` (it would sort last, shifting every other label by one), or
    /// to a name sorting first, or an extra folder beside the ten.
    @Test(arguments: [("c0_digit0", "zz"), ("c5_digit5", "a_new"), ("c9_digit9", "c9_digit9 ")])
    func anUnknownValidationFolderFailsNamingIt(folder: String, renamed: String) throws {
        let train = try MNISTSample.subset("train", perClass: 2)
        let validation = try MNISTSample.subset("validation", perClass: 1)
        try FileManager.default.moveItem(at: validation.appendingPathComponent(folder), to: validation.appendingPathComponent(renamed))
        let lines = MNISTSample.Lines()
        let trainer = try Trainer(job: job(train: train, validation: validation, output: MNISTSample.temporaryFolder("model")), log: lines.log)
        let error = #expect(throws: (any Error).self) { _ = try trainer.run() }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("class folder \(renamed) not among the classes of the train channel (c0_digit0, c1_digit1"), "\(text)")
        #expect(text.contains(validation.path), "\(text)")
        #expect(!lines.all.contains { $0.hasPrefix("Epoch[") }, "no training before the error")
    }

    @Test func anExtraValidationFolderFails() throws {
        let train = try MNISTSample.subset("train", perClass: 2, classes: Array(0..<10))
        let validation = try MNISTSample.subset("validation", perClass: 1)
        let extra = validation.appendingPathComponent("unlabelled")
        try FileManager.default.createDirectory(at: extra, withIntermediateDirectories: true)
        let image = try FileManager.default.contentsOfDirectory(atPath: MNISTSample.root.appendingPathComponent("validation/0").path).sorted()[0]
        try FileManager.default.createSymbolicLink(at: extra.appendingPathComponent(image),
                                                   withDestinationURL: MNISTSample.root.appendingPathComponent("validation/0/\(image)"))
        let trainer = try Trainer(job: job(train: train, validation: validation, output: MNISTSample.temporaryFolder("model")),
                                  log: MNISTSample.Lines().log)
        let error = #expect(throws: (any Error).self) { _ = try trainer.run() }
        #expect("\(error.map { "\($0)" } ?? "")".contains("class folder unlabelled not among the classes of the train channel"))
    }

    /// A validation set without some classes trains, and says which are missing; the other
    /// folders keep the train channel's indices (a positional numbering would shift them).
    @Test func aValidationSetMissingAClassTrainsWithANote() throws {
        let train = try MNISTSample.subset("train", perClass: 2)
        let validation = try MNISTSample.subset("validation", perClass: 2)
        try FileManager.default.removeItem(at: validation.appendingPathComponent("c0_digit0"))
        let opened = try Channel(name: "validation", path: validation).open(
            labels: LabelSpec(numClasses: 10), knownClasses: KnownClasses(names: (0..<10).map { "c\($0)_digit\($0)" }, origin: "the train channel"),
            warn: { _ in })
        #expect(try opened.source.load(at: 0).labels == [1])
        #expect(try opened.source.load(at: opened.source.count - 1).labels == [9])
        let lines = MNISTSample.Lines()
        let result = try Trainer(job: job(train: train, validation: validation, output: MNISTSample.temporaryFolder("model")), log: lines.log).run()
        #expect(result.history.count == 1)
        #expect(lines.all.contains { $0.contains("no folder for 1 of the 10 classes of the train channel (c0_digit0)") }, "\(lines.all)")
    }
}
