import ImageData
import Foundation
import Models
import TestFixtures
import Testing
import Training

/// Job folders built as SageMaker builds `/opt/ml` for the built-in algorithm, run through
/// the `imgclf` binary as the container's `train` entry point.
@Suite(.serialized, .removesTemporaryFolders)
struct ServiceJobFolderTests {
    /// `/opt/ml` with the config files; channels are added by each test.
    struct JobFolder {
        let root = MNISTSample.temporaryFolder("opt-ml")
        var config: URL { root.appendingPathComponent("input/config") }
        var data: URL { root.appendingPathComponent("input/data") }

        init(hyperparameters: [String: String], channels: [String: [String: String]]) throws {
            let fm = FileManager.default
            try fm.createDirectory(at: config, withIntermediateDirectories: true)
            try fm.createDirectory(at: data, withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: hyperparameters).write(to: config.appendingPathComponent("hyperparameters.json"))
            try JSONSerialization.data(withJSONObject: channels).write(to: config.appendingPathComponent("inputdataconfig.json"))
            try Data(#"{"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}"#.utf8)
                .write(to: config.appendingPathComponent("resourceconfig.json"))
        }

        func train(_ extra: [String] = [], environment: [String: String] = [:]) throws -> ImgclfBinary.Outcome {
            try ImgclfBinary.run(["train", "--job-dir", root.path, "--threads", "1"] + extra, environment: environment)
        }

        var failure: String? { try? String(contentsOf: root.appendingPathComponent("output/failure"), encoding: .utf8) }
        var modelFiles: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("model").path)) ?? []).sorted() }
    }

    static let hyperparameters = ["num_classes": "10", "num_training_samples": "100", "image_shape": "1,28,28", "num_layers": "20",
                                  "mini_batch_size": "20", "epochs": "2", "learning_rate": "0.05"]

    static func channel(_ contentType: String, mode: String = "File", wrapper: String = "None") -> [String: String] {
        ["ContentType": contentType, "TrainingInputMode": mode, "S3DistributionType": "FullyReplicated", "RecordWrapperType": wrapper]
    }

    /// The first `perClass` PNGs of each digit: (class, file).
    static func digits(_ split: String, perClass: Int) throws -> [(Int, URL)] {
        var out: [(Int, URL)] = []
        for digit in 0..<10 {
            let folder = MNISTSample.root.appendingPathComponent(split).appendingPathComponent(String(digit))
            for f in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().prefix(perClass) {
                out.append((digit, folder.appendingPathComponent(f)))
            }
        }
        // Interleaved classes, as a shuffled manifest lists them.
        return out.enumerated().sorted { ($0.offset % perClass, $0.offset) < ($1.offset % perClass, $1.offset) }.map(\.element)
    }

    /// Pipe mode with an augmented manifest: per epoch a FIFO `<channel>_<epoch>` whose RecordIO
    /// records alternate the image bytes and the label attribute's text, and no AttributeNames.
    @Test func pipeModeAugmentedManifest() throws {
        let channels = ["train": Self.channel("application/x-image", mode: "Pipe", wrapper: "RecordIO"),
                        "validation": Self.channel("application/x-image", mode: "Pipe", wrapper: "RecordIO")]
        let job = try JobFolder(hyperparameters: Self.hyperparameters, channels: channels)
        func pairs(_ split: String, _ perClass: Int) throws -> [[UInt8]] {
            try Self.digits(split, perClass: perClass).flatMap { label, file in
                [[UInt8](try Data(contentsOf: file)), Array("\(label)".utf8)]
            }
        }
        let feeders = [PipeModeTrainingTests.feed(prefix: job.data.appendingPathComponent("train"), epochs: 2, payloads: try pairs("train", 10)),
                       PipeModeTrainingTests.feed(prefix: job.data.appendingPathComponent("validation"), epochs: 2, payloads: try pairs("validation", 3))]
        let outcome = try job.train()
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("Epoch[1] Validation-accuracy="), "\(outcome.output)")
        // The service packs /opt/ml/model itself: plain files, no archive inside.
        #expect(job.modelFiles.contains("image-classification-symbol.json") && job.modelFiles.contains("model-shapes.json"), "\(job.modelFiles)")
        #expect(job.modelFiles.contains { $0.hasPrefix("image-classification-0") && $0.hasSuffix(".params") }, "\(job.modelFiles)")
        #expect(!job.modelFiles.contains("model.tar.gz"))
        #expect(try ModelArtifact.load(from: job.root.appendingPathComponent("model")).imageShape == [1, 28, 28])
        _ = feeders
    }

    /// File mode: a channel folder holding a `.manifest`; images relative to it (train) or
    /// `s3://` references read from a local mirror (validation).
    @Test func fileModeManifestChannels() throws {
        let manifestType = "application/x-image"
        let job = try JobFolder(hyperparameters: Self.hyperparameters,
                                channels: ["train": Self.channel(manifestType), "validation": Self.channel(manifestType)])
        let fm = FileManager.default
        let train = job.data.appendingPathComponent("train")
        try fm.createDirectory(at: train.appendingPathComponent("images"), withIntermediateDirectories: true)
        var lines: [String] = []
        for (i, (label, file)) in try Self.digits("train", perClass: 10).enumerated() {
            try fm.copyItem(at: file, to: train.appendingPathComponent("images/\(i).png"))
            lines.append(#"{"source-ref": "images/\#(i).png", "class": "\#(label)", "class-metadata": {"class-name": "d\#(label)"}}"#)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: train.appendingPathComponent("train.manifest"))

        let mirror = MNISTSample.temporaryFolder("s3")
        let validation = job.data.appendingPathComponent("validation")
        try fm.createDirectory(at: validation, withIntermediateDirectories: true)
        try fm.createDirectory(at: mirror.appendingPathComponent("bucket/digits"), withIntermediateDirectories: true)
        lines = []
        for (i, (label, file)) in try Self.digits("validation", perClass: 3).enumerated() {
            try fm.copyItem(at: file, to: mirror.appendingPathComponent("bucket/digits/\(i).png"))
            lines.append(#"{"source-ref": "s3://bucket/digits/\#(i).png", "class": \#(label)}"#)
        }
        try Data(lines.joined(separator: "\r\n").utf8).write(to: validation.appendingPathComponent("validation.manifest"))

        let outcome = try job.train(["--s3-mirror", mirror.path])
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("on 100 images"), "\(outcome.output)")

        // Without the mirror, the s3:// references are named in output/failure.
        try fm.removeItem(at: job.root.appendingPathComponent("model"))
        let unmapped = try job.train()
        #expect(unmapped.status != 0)
        #expect(job.failure?.contains("s3://bucket/digits/0.png") == true, "\(job.failure ?? "no failure file")")
    }

    /// The model channel as the service delivers it: `input/data/model/model.tar.gz`.
    @Test func modelChannelIsTheArchive() throws {
        // A first job, trained from the command line, writes model.tar.gz.
        let first = MNISTSample.temporaryFolder("first")
        let trainDir = try MNISTSample.subset("train", perClass: 10), validDir = try MNISTSample.subset("validation", perClass: 3)
        let trained = try ImgclfBinary.run(["train", "--train", trainDir.path, "--validation", validDir.path, "--output", first.path,
                                            "--threads", "1", "--num_classes", "10", "--num_training_samples", "100",
                                            "--image_shape", "1,28,28", "--num_layers", "20", "--mini_batch_size", "20", "--epochs", "1"])
        #expect(trained.status == 0, "\(trained.output)")

        var channels = ["train": Self.channel("application/x-image"), "validation": Self.channel("application/x-image")]
        channels["model"] = Self.channel("application/x-sagemaker-model")
        let job = try JobFolder(hyperparameters: Self.hyperparameters.merging(["epochs": "1"]) { $1 }, channels: channels)
        let fm = FileManager.default
        try fm.moveItem(at: trainDir, to: job.data.appendingPathComponent("train"))
        try fm.moveItem(at: validDir, to: job.data.appendingPathComponent("validation"))
        try fm.createDirectory(at: job.data.appendingPathComponent("model"), withIntermediateDirectories: true)
        try fm.copyItem(at: first.appendingPathComponent("model.tar.gz"), to: job.data.appendingPathComponent("model/model.tar.gz"))
        let outcome = try job.train()
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("Incremental training from"), "\(outcome.output)")
    }

    /// Files of an earlier run in /opt/ml/model would be packed with this run's: refused
    /// before any training, in output/failure.
    @Test func filesOfAnotherRunInTheModelFolderAreRefused() throws {
        let job = try JobFolder(hyperparameters: Self.hyperparameters,
                                channels: ["train": Self.channel("application/x-image"), "validation": Self.channel("application/x-image")])
        let fm = FileManager.default
        try fm.moveItem(at: try MNISTSample.subset("train", perClass: 10), to: job.data.appendingPathComponent("train"))
        try fm.moveItem(at: try MNISTSample.subset("validation", perClass: 3), to: job.data.appendingPathComponent("validation"))
        try fm.createDirectory(at: job.root.appendingPathComponent("model"), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: job.root.appendingPathComponent("model/image-classification-0007.params"))
        let outcome = try job.train()
        #expect(outcome.status != 0)
        #expect(job.failure?.contains("image-classification-0007.params") == true, "\(job.failure ?? "no failure file")")
        #expect(!outcome.output.contains("Epoch[0]"), "\(outcome.output)")
    }

    /// A .rec whose records carry labels outside [0, num_classes) fails the job, naming the
    /// first bad records; --skip-bad-labels FRACTION lets that share be left out instead.
    @Test func recordLabelsOutsideTheClassesFailTheJob() throws {
        let channels = ["train": Self.channel("application/x-recordio"), "validation": Self.channel("application/x-recordio")]
        let job = try JobFolder(hyperparameters: Self.hyperparameters, channels: channels)
        func rec(_ split: String, _ perClass: Int, badEvery: Int?) throws {
            let folder = job.data.appendingPathComponent(split)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let writer = try RecordIOWriter(url: folder.appendingPathComponent("\(split).rec"))
            for (i, (label, file)) in try Self.digits(split, perClass: perClass).enumerated() {
                let bad = badEvery.map { i % $0 == 3 } ?? false
                try writer.write(ImageRecordHeader(label: bad ? 12 : Float(label), id: UInt64(i)).pack(image: [UInt8](try Data(contentsOf: file))))
            }
            try writer.close()
        }
        try rec("train", 10, badEvery: 25)      // records 3, 28, 53, 78: 4 of 100
        try rec("validation", 3, badEvery: nil)
        let refused = try job.train()
        #expect(refused.status != 0)
        let failure = job.failure ?? ""
        #expect(failure.contains("4 of 100 records") && failure.contains("train.rec record 3 ") && failure.contains("record 28 "), "\(failure)")
        #expect(!refused.output.contains("Epoch[0]"), "\(refused.output)")

        let tooFew = try job.train(["--skip-bad-labels", "0.03"])
        #expect(tooFew.status != 0, "\(tooFew.output)")

        try? FileManager.default.removeItem(at: job.root.appendingPathComponent("output"))
        let allowed = try job.train(["--skip-bad-labels", "0.05"])
        #expect(allowed.status == 0, "\(allowed.output)")
        #expect(allowed.output.contains("skipping 4 of 100 records"), "\(allowed.output)")
        #expect(allowed.output.contains("on 96 images"), "\(allowed.output)")
    }

    /// The multi-label notebook's flow: images in `train`/`validation`, multi-hot lists in
    /// `train_lst`/`validation_lst`. Its label cell writes a 2 into some rows, which MXNet
    /// (and so the service) trains on as a positive label: so does imgclf, with one warning.
    /// A negative value fails the job naming file and line; --skip-bad-labels leaves it out.
    @Test func multiLabelListsAsTheNotebookWritesThem() throws {
        let channels = ["train": Self.channel("application/x-image"), "validation": Self.channel("application/x-image"),
                        "train_lst": Self.channel("application/x-image"), "validation_lst": Self.channel("application/x-image")]
        let hp = Self.hyperparameters.merging(["multi_label": "1", "epochs": "1"]) { $1 }
        let job = try JobFolder(hyperparameters: hp, channels: channels)
        let fm = FileManager.default
        func write(_ split: String, _ perClass: Int, row: (Int, Int) -> String) throws {
            let images = job.data.appendingPathComponent(split), lists = job.data.appendingPathComponent(split + "_lst")
            try fm.createDirectory(at: images, withIntermediateDirectories: true)
            try fm.createDirectory(at: lists, withIntermediateDirectories: true)
            var lines: [String] = []
            for (i, (label, file)) in try Self.digits(split, perClass: perClass).enumerated() {
                let name = "\(i).png"
                try? fm.removeItem(at: images.appendingPathComponent(name))
                try fm.copyItem(at: file, to: images.appendingPathComponent(name))
                lines.append("\(i)\t\(row(i, label))\t\(name)")
            }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: lists.appendingPathComponent(split + ".lst"))
        }
        // Multi-hot rows of the digit; every 40th training row says 2 where it means 1.
        func multiHot(_ i: Int, _ label: Int, value: String) -> String {
            (0..<10).map { $0 == label ? value : "0" }.joined(separator: "\t")
        }
        try write("train", 10) { i, label in multiHot(i, label, value: i % 40 == 5 ? "2" : "1") }
        try write("validation", 3) { i, label in multiHot(i, label, value: "1") }
        let lenient = try job.train()
        #expect(lenient.status == 0, "\(lenient.output)")
        #expect(lenient.output.contains("train.lst: 3 lines hold multi-hot values above 1, read as 1") && lenient.output.contains("lines 6, 46, 86"),
                "\(lenient.output)")

        try write("train", 10) { i, label in multiHot(i, label, value: i == 7 ? "-1" : "1") }
        try? fm.removeItem(at: job.root.appendingPathComponent("output"))
        try? fm.removeItem(at: job.root.appendingPathComponent("model"))
        let refused = try job.train()
        #expect(refused.status != 0)
        #expect(job.failure?.contains("train.lst:8: multi-hot label value -1 is not 0 or 1") == true, "\(job.failure ?? refused.output)")
        try? fm.removeItem(at: job.root.appendingPathComponent("output"))
        let skipped = try job.train(["--skip-bad-labels", "0.05"])
        #expect(skipped.status == 0, "\(skipped.output)")
        #expect(skipped.output.contains("skipping 1 of 100 lines (1.00%)"), "\(skipped.output)")
    }

    /// A disk that fills up while the model is written: the job fails naming the file, and
    /// model/ holds no artifact rather than a symbol file without its weights.
    @Test func aFullDiskLeavesNoHalfArtifact() throws {
        let job = try JobFolder(hyperparameters: Self.hyperparameters.merging(["epochs": "1"]) { $1 },
                                channels: ["train": Self.channel("application/x-image"), "validation": Self.channel("application/x-image")])
        let fm = FileManager.default
        try fm.moveItem(at: try MNISTSample.subset("train", perClass: 10), to: job.data.appendingPathComponent("train"))
        try fm.moveItem(at: try MNISTSample.subset("validation", perClass: 3), to: job.data.appendingPathComponent("validation"))
        // ResNet-20's weights are about 1.1 MB; its symbol file and the failure note are far smaller.
        let outcome = try ImgclfBinary.run(["train", "--job-dir", job.root.path, "--threads", "1"], fileSizeLimitKB: 400)
        #expect(outcome.status != 0)
        #expect(job.failure?.contains(".params") == true && job.failure?.contains("File too large") == true, "\(job.failure ?? outcome.output)")
        #expect(!job.modelFiles.contains { $0.hasSuffix("-symbol.json") || $0.hasSuffix(".params") }, "\(job.modelFiles)")
    }

    /// Where the service is lenient: use_weighted_loss without multi_label is ignored with a
    /// warning, and optimizer names are case-insensitive.
    @Test func lenientWhereTheServiceIsLenient() throws {
        let hp = Self.hyperparameters.merging(["use_weighted_loss": "1", "optimizer": "SGD", "epochs": "1"]) { $1 }
        let job = try JobFolder(hyperparameters: hp,
                                channels: ["train": Self.channel("application/x-image"), "validation": Self.channel("application/x-image")])
        let fm = FileManager.default
        try fm.moveItem(at: try MNISTSample.subset("train", perClass: 10), to: job.data.appendingPathComponent("train"))
        try fm.moveItem(at: try MNISTSample.subset("validation", perClass: 3), to: job.data.appendingPathComponent("validation"))
        let outcome = try job.train()
        #expect(outcome.status == 0, "\(outcome.output)")
        #expect(outcome.output.contains("use_weighted_loss=1 applies to multi-label training only"), "\(outcome.output)")
    }
}
