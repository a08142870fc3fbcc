import Compute
import ImageData
import Foundation
import Graph
import Models
import TestFixtures
import Testing
import Training

/// Hostile or unlucky situations around a training run: each ends in a clear outcome,
/// never a trap, a torn state or a model holding another run's files.
@Suite(.serialized, .removesTemporaryFolders)
struct TrainerHardeningTests {
    func job(_ hp: Hyperparameters, train: URL, validation: URL, output: URL, checkpoints: URL? = nil, model: URL? = nil) -> TrainingJob {
        TrainingJob(hyperparameters: hp, train: Channel(name: "train", path: train),
                    validation: Channel(name: "validation", path: validation), model: model,
                    outputDir: output, checkpointDir: checkpoints, loaderThreads: 1, seed: 3)
    }

    /// `--epochs 2`, then the same job with `--epochs 1`: the state is already past the
    /// asked epochs, so nothing is trained and the model is written from the saved run.
    @Test func resumingWithFewerEpochsWritesTheModelAndSaysWhy() throws {
        let train = try MNISTSample.subset("train", perClass: 4)
        let validation = try MNISTSample.subset("validation", perClass: 2)
        let out = MNISTSample.temporaryFolder("model"), checkpoints = MNISTSample.temporaryFolder("ckpt")
        defer { for url in [train, validation, out, checkpoints] { try? FileManager.default.removeItem(at: url) } }
        let hp2 = try MNISTSample.hyperparameters(["epochs": "2", "mini_batch_size": "20"], trainCount: 40)
        _ = try Trainer(job: job(hp2, train: train, validation: validation, output: out, checkpoints: checkpoints),
                        log: MNISTSample.Lines().log).run()

        var hp1 = hp2
        hp1.epochs = 1
        let lines = MNISTSample.Lines()
        let again = try Trainer(job: job(hp1, train: train, validation: validation, output: out, checkpoints: checkpoints),
                                log: lines.log).run()
        #expect(again.history.map(\.epoch) == [0, 1])
        #expect(lines.all.contains { $0.contains("already run 2 epochs, more than epochs=1") }, "\(lines.all)")
        #expect(!lines.all.contains { $0.hasPrefix("Epoch[") })
        let artifact = try ModelArtifact.load(from: try #require(again.artifact))
        #expect(artifact.parameters.contains { $0.name == "arg:fc1_weight" })
    }

    /// A run saved with SGD (momentum), resumed with Adam: the error names the state file
    /// and says what to do, rather than only that an array does not belong.
    @Test func resumingWithAnotherOptimizerNamesTheStateFile() throws {
        let train = try MNISTSample.subset("train", perClass: 4)
        let validation = try MNISTSample.subset("validation", perClass: 2)
        let out = MNISTSample.temporaryFolder("model"), checkpoints = MNISTSample.temporaryFolder("ckpt")
        let sgd = try MNISTSample.hyperparameters(["epochs": "1", "mini_batch_size": "20"], trainCount: 40)
        _ = try Trainer(job: job(sgd, train: train, validation: validation, output: out, checkpoints: checkpoints),
                        log: MNISTSample.Lines().log).run()
        var adam = try MNISTSample.hyperparameters(["epochs": "2", "mini_batch_size": "20", "optimizer": "adam"], trainCount: 40)
        adam.epochs = 2
        do {
            _ = try Trainer(job: job(adam, train: train, validation: validation, output: MNISTSample.temporaryFolder("model2"),
                                     checkpoints: checkpoints), log: MNISTSample.Lines().log).run()
            Issue.record("an SGD state was resumed with Adam")
        } catch {
            let text = "\(error)"
            #expect(text.contains(checkpoints.appendingPathComponent("training-state.params").path) && text.contains("another optimizer")
                    && text.contains("use an empty checkpoint folder"), "\(text)")
        }
    }

    /// A 10-class run with a checkpoint every epoch, then a 5-class run into the same
    /// output folder: the new model.tar.gz holds only the 5-class run's checkpoint.
    @Test func theArtifactHoldsOnlyThisRunsCheckpoints() throws {
        let out = MNISTSample.temporaryFolder("model")
        let train10 = try MNISTSample.subset("train", perClass: 2), val10 = try MNISTSample.subset("validation", perClass: 1)
        let classes5 = [0, 1, 2, 3, 4]
        let train5 = try MNISTSample.subset("train", perClass: 4, classes: classes5)
        let val5 = try MNISTSample.subset("validation", perClass: 2, classes: classes5)
        defer { for url in [out, train10, val10, train5, val5] { try? FileManager.default.removeItem(at: url) } }

        let hp10 = try MNISTSample.hyperparameters(["epochs": "2", "checkpoint_frequency": "1", "mini_batch_size": "20"], trainCount: 20)
        _ = try Trainer(job: job(hp10, train: train10, validation: val10, output: out), log: MNISTSample.Lines().log).run()
        let before = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".params") }.sorted()
        #expect(before == ["image-classification-0001.params", "image-classification-0002.params"])

        let hp5 = try MNISTSample.hyperparameters(["epochs": "1", "mini_batch_size": "20"], trainCount: 20, classes: 5)
        let lines = MNISTSample.Lines()
        let second = try Trainer(job: job(hp5, train: train5, validation: val5, output: out), log: lines.log).run()
        let archive = try #require(second.artifact)
        let members = try TarGz.read(contentsOf: archive).keys.filter { $0.hasSuffix(".params") }
        #expect(members == ["image-classification-0001.params"])
        let model = try ModelArtifact.load(from: archive)
        #expect(model.epoch == 1)
        #expect(model.parameters.first { $0.name == "arg:fc1_weight" }?.array.shape.first == 5)
        #expect(lines.all.contains { $0.contains("image-classification-0002.params, not written by this run") }, "\(lines.all)")
    }

    /// An incremental model whose arrays have the wrong shapes: a named error, no trap.
    @Test(arguments: [("fc1_weight", [Int]()), ("fc1_weight", [10]), ("conv0_weight", [3, 3, 3, 3])])
    func aWronglyShapedModelArrayIsANamedError(array: String, shape: [Int]) throws {
        let symbol = try ResNet.symbol(numLayers: 20, imageShape: [1, 28, 28], numClasses: 10)
        let store = ParameterStore()
        _ = try Executor(symbol: symbol, parameters: store, dataShape: [1, 1, 28, 28], mode: .inference)
        var parameters = store.export()
        let index = try #require(parameters.firstIndex { $0.name == "arg:" + array })
        let count = shape.reduce(1, *)
        parameters[index].array = NDArray(shape: shape, floats: [Float](repeating: 0.5, count: count))
        let folder = MNISTSample.temporaryFolder("bad-model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let archive = try ModelArtifact(symbol: symbol, parameters: parameters, epoch: 1, imageShape: [1, 28, 28]).writeArchive(to: folder)
        let train = try MNISTSample.subset("train", perClass: 4), validation = try MNISTSample.subset("validation", perClass: 1)
        defer { for url in [folder, train, validation] { try? FileManager.default.removeItem(at: url) } }

        let hp = try MNISTSample.hyperparameters(["epochs": "1"], trainCount: 40)
        do {
            _ = try Trainer(job: job(hp, train: train, validation: validation, output: MNISTSample.temporaryFolder("m"), model: archive),
                            log: MNISTSample.Lines().log).run()
            Issue.record("a model with \(array) of shape \(shape) was accepted")
        } catch let error as TrainingError {
            #expect("\(error)".contains(array) && "\(error)".contains(archive.path), "\(error)")
        }
    }

    /// Incremental training from class folders labels them by the earlier model's
    /// classes.json, by name: a folder the model has no class for is an error naming it,
    /// not a silent shift of every label after it.
    @Test func incrementalClassFoldersTakeTheEarlierModelsClassesByName() throws {
        let symbol = try ResNet.symbol(numLayers: 20, imageShape: [1, 28, 28], numClasses: 10)
        let store = ParameterStore()
        _ = try Executor(symbol: symbol, parameters: store, dataShape: [1, 1, 28, 28], mode: .inference)
        let train = try MNISTSample.subset("train", perClass: 4), validation = try MNISTSample.subset("validation", perClass: 1)
        let folders = try FileManager.default.contentsOfDirectory(atPath: train.path).sorted()
        let hp = try MNISTSample.hyperparameters(["epochs": "1", "mini_batch_size": "20"], trainCount: 40)
        func artifact(classes: [String]) throws -> URL {
            let folder = MNISTSample.temporaryFolder("earlier")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return try ModelArtifact(symbol: symbol, parameters: store.export(), epoch: 1, imageShape: [1, 28, 28],
                                     classNames: classes).writeArchive(to: folder)
        }
        // The model's classes in another order than the folders sort: the run keeps its order.
        let reversed = try artifact(classes: folders.reversed())
        let outcome = try Trainer(job: job(hp, train: train, validation: validation, output: MNISTSample.temporaryFolder("m"), model: reversed),
                                  log: MNISTSample.Lines().log).run()
        #expect(try ModelArtifact.load(from: try #require(outcome.artifact)).classNames == folders.reversed())

        var renamed = folders
        renamed[0] = "zz"
        let other = try artifact(classes: renamed)
        do {
            _ = try Trainer(job: job(hp, train: train, validation: validation, output: MNISTSample.temporaryFolder("m2"), model: other),
                            log: MNISTSample.Lines().log).run()
            Issue.record("a class folder the earlier model does not have was numbered by position")
        } catch {
            #expect("\(error)".contains(folders[0]) && "\(error)".contains("classes.json"), "\(error)")
        }
    }

    /// Output and checkpoint folders that cannot be written fail before any training,
    /// naming the folder (the channels do not even exist here: they are never read).
    @Test func unwritableFoldersFailBeforeTraining() throws {
        let scratch = MNISTSample.temporaryFolder("unwritable")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: file)
        let hp = try MNISTSample.hyperparameters(["epochs": "1"], trainCount: 40)
        let nowhere = scratch.appendingPathComponent("no-data")
        // /proc refuses new files and folders even to root.
        let cases: [(output: URL, checkpoints: URL?, named: String, says: String)] = [
            (file, nil, file.path, "is a file, not a folder"),
            (file.appendingPathComponent("sub"), nil, file.path, "is a file, not a folder"),
            (scratch.appendingPathComponent("out"), URL(fileURLWithPath: "/proc"), "/proc", "cannot create files in it"),
            (scratch.appendingPathComponent("out"), URL(fileURLWithPath: "/proc/imgclf-test/ckpt"), "/proc/imgclf-test", "cannot create"),
        ]
        for c in cases {
            do {
                _ = try Trainer(job: job(hp, train: nowhere, validation: nowhere, output: c.output, checkpoints: c.checkpoints),
                                log: MNISTSample.Lines().log).run()
                Issue.record("\(c.output.path) / \(c.checkpoints?.path ?? "-") was accepted")
            } catch let error as TrainingError {
                let text = "\(error)"
                #expect(text.contains(c.named) && text.contains(c.says) && text.contains("not writable"), "\(text)")
            }
        }
    }

    /// Labels the loss and the metric cannot take are errors, not out-of-bounds reads.
    @Test(arguments: [Float.nan, 1e30, -1, 10, 2.5, .infinity])
    func theMetricRefusesBadLabels(label: Float) {
        var metric = AccuracyMetric(classes: 10, multiLabel: false)
        let probabilities = [Float](repeating: 0.1, count: 20)
        let labels: [Float] = [3, label]
        #expect(throws: TrainingError.self) {
            try probabilities.withUnsafeBufferPointer { p in
                try labels.withUnsafeBufferPointer { try metric.update(probabilities: p, labels: $0, count: 2) }
            }
        }
        #expect(metric.samples == 0)
    }

    /// A Pipe-mode stream carrying a label of 1e30 does not trap: the record is refused by
    /// name, or the run fails with a message about the label.
    @Test func aHugeLabelInAPipeIsAnError() throws {
        let dir = MNISTSample.temporaryFolder("pipes")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var records = try PipeModeTrainingTests.records("train", perClass: 2)
        let png = [UInt8](try Data(contentsOf: MNISTSample.root.appendingPathComponent("train/0")
            .appendingPathComponent(try #require(try FileManager.default.contentsOfDirectory(atPath: MNISTSample.root.appendingPathComponent("train/0").path).sorted().first))))
        records[3] = ImageRecordHeader(label: 1e30, id: 99).pack(image: png)
        _ = PipeModeTrainingTests.feed(prefix: dir.appendingPathComponent("train"), epochs: 1, payloads: records)
        _ = PipeModeTrainingTests.feed(prefix: dir.appendingPathComponent("validation"), epochs: 1,
                                       payloads: try PipeModeTrainingTests.records("validation", perClass: 1))
        let hp = try MNISTSample.hyperparameters(["epochs": "1", "mini_batch_size": "10"], trainCount: 20)
        let job = TrainingJob(hyperparameters: hp,
                              train: Channel(name: "train", path: dir.appendingPathComponent("train"), pipeMode: true),
                              validation: Channel(name: "validation", path: dir.appendingPathComponent("validation"), pipeMode: true),
                              outputDir: MNISTSample.temporaryFolder("model"), loaderThreads: 1, seed: 1)
        // The loader refuses the record as File mode does (skipped and counted, with a
        // warning naming it), or the run fails naming the label: never a trap.
        let lines = MNISTSample.Lines()
        do {
            _ = try Trainer(job: job, log: lines.log).run()
            #expect(lines.all.contains { $0.contains("label") && $0.contains("record") }, "\(lines.all)")
        } catch {
            #expect("\(error)".contains("label"), "\(error)")
        }
    }
}
