import ImageData
import Foundation
import Models
import Serving
import TestFixtures
import Testing

/// Batch transform (`.out` files and JSON Lines) and evaluation (metrics, confusion matrix).
@Suite(.removesTemporaryFolders)
struct TransformTests {
    /// A folder of good and bad images -> one .out per image with the /invocations JSON Lines
    /// answer, an error line for the bad ones, and the job goes on.
    @Test func folderToOutFiles() throws {
        let input = Fixtures.temporaryFolder("tin"), output = Fixtures.temporaryFolder("tout")
        defer { try? FileManager.default.removeItem(at: input); try? FileManager.default.removeItem(at: output) }
        try FileManager.default.createDirectory(at: input.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: input.appendingPathComponent("a.png"))
        try FileManager.default.copyItem(at: Fixtures.image("rgb1.png"), to: input.appendingPathComponent("sub/b.png"))
        try Data("not an image".utf8).write(to: input.appendingPathComponent("broken.jpg"))
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"), options: PredictorOptions(maxBatch: 2))
        let inputs = try BatchTransform.inputs(from: input)
        #expect(inputs.map(\.name) == ["a.png", "broken.jpg", "sub/b.png"])
        var warnings: [String] = []
        let summary = try BatchTransform.run(predictor: predictor, inputs: inputs, output: output, jsonl: nil,
                                             warn: { warnings.append($0) })
        #expect(summary == TransformSummary(total: 3, succeeded: 2, failed: 1))
        #expect(warnings.count == 1 && warnings[0].hasPrefix("broken.jpg"))
        for (file, image) in [("a.png.out", "rgb0.png"), ("sub/b.png.out", "rgb1.png")] {
            let text = try String(contentsOf: output.appendingPathComponent(file), encoding: .utf8)
            #expect(text.hasSuffix("}\n"))
            let p = try JSONDecoder().decode([String: [Double]].self, from: Data(text.utf8))["prediction"]!.map(Float.init)
            #expect(Fixtures.maxDiff(p, Fixtures.expected["resnet8-3x28x28"]![image]!) < 1e-5)
        }
        let error = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: output.appendingPathComponent("broken.jpg.out")))
        #expect(error["error"]?.contains("not a JPEG or PNG") == true)
    }

    /// A folder holding a link to itself (`ln -s . loop`) and a hidden file: the walk ends,
    /// each image is listed once, and hidden files are left out, as before the walk was shared.
    @Test func folderWithALinkLoopListsEachImageOnce() throws {
        let input = Fixtures.temporaryFolder("tloop")
        defer { try? FileManager.default.removeItem(at: input) }
        try FileManager.default.createDirectory(at: input.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: input.appendingPathComponent("sub/a.png"))
        try Data("hidden".utf8).write(to: input.appendingPathComponent(".DS_Store"))
        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("sub/loop").path, withDestinationPath: ".")
        try FileManager.default.createSymbolicLink(atPath: input.appendingPathComponent("up").path, withDestinationPath: "sub")
        #expect(try BatchTransform.inputs(from: input).map(\.name) == ["sub/a.png"])
    }

    /// A ManifestFile in, one JSON Lines file out (parity with MXNet for every model).
    @Test(arguments: Fixtures.parityCases)
    func manifestToJSONLines(model: String, images: [String]) throws {
        let work = Fixtures.temporaryFolder("tjsonl")
        defer { try? FileManager.default.removeItem(at: work) }
        let manifest = work.appendingPathComponent("inputs.manifest")
        let entries = ["{\"prefix\": \"\(Fixtures.images.path)/\"}"] + (images + ["missing.png"]).map { "\"\($0)\"" }
        try Data("[\(entries.joined(separator: ", "))]".utf8).write(to: manifest)
        let inputs = try BatchTransform.inputs(from: manifest)
        #expect(inputs.count == images.count + 1)
        let out = work.appendingPathComponent("out/results.jsonl")
        let summary = try BatchTransform.run(predictor: try Predictor(contentsOf: Fixtures.model(model)), inputs: inputs,
                                             output: nil, jsonl: out)
        #expect(summary.failed == 1 && summary.succeeded == images.count)
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == images.count + 1)
        for (line, name) in zip(lines, images) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(object["file"] as? String == name)
            let p = (object["prediction"] as! [Double]).map(Float.init)
            #expect(Fixtures.maxDiff(p, Fixtures.expected[model]![name]!) < 1e-5)
        }
        let last = try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as! [String: Any]
        #expect(last["file"] as? String == "missing.png")
        #expect((last["error"] as? String)?.contains("no such file") == true)
    }

    @Test func missingInputIsAnError() {
        #expect(throws: TransformError.self) { try BatchTransform.inputs(from: URL(fileURLWithPath: "/no/such/folder")) }
    }
}

@Suite(.removesTemporaryFolders)
struct EvaluationTests {
    /// Hand-checked counts: 3 classes, 6 images.
    @Test func singleLabelMetrics() {
        var e = Evaluation(numClasses: 3, multiLabel: false, k: 2)
        // (probabilities, true class): predictions 0, 0, 1, 2, 2, 1
        let cases: [([Float], Float)] = [
            ([0.7, 0.2, 0.1], 0), ([0.5, 0.4, 0.1], 1), ([0.1, 0.8, 0.1], 1),
            ([0.1, 0.2, 0.7], 2), ([0.3, 0.1, 0.6], 0), ([0.2, 0.5, 0.3], 2),
        ]
        for (p, y) in cases { e.add(probabilities: p, labels: [y]) }
        let r = e.report
        #expect(r.samples == 6)
        #expect(abs(r.accuracy - 3.0 / 6) < 1e-12)
        #expect(r.topK == 2)
        #expect(abs(r.topKAccuracy! - 6.0 / 6) < 1e-12)
        #expect(r.confusion == [[1, 0, 1], [1, 1, 0], [0, 1, 1]])
        #expect(abs(r.perClass[0].precision - 0.5) < 1e-12 && abs(r.perClass[0].recall - 0.5) < 1e-12)
        #expect(abs(r.perClass[1].precision - 0.5) < 1e-12 && r.perClass[1].support == 2)
        let table = EvaluationTable.render(r)
        #expect(table.contains("accuracy: 50.00%"))
        #expect(table.contains("confusion matrix"))
    }

    @Test func multiLabelMetrics() {
        var e = Evaluation(numClasses: 2, multiLabel: true)
        e.add(probabilities: [0.9, 0.2], labels: [1, 0])  // both right
        e.add(probabilities: [0.9, 0.6], labels: [1, 0])  // class 1 wrong
        let r = e.report
        #expect(abs(r.accuracy - 0.75) < 1e-12)       // class 0: 2/2, class 1: 1/2
        #expect(abs(r.exactMatch! - 0.5) < 1e-12)
        #expect(r.confusion == [[2, 0, 0, 0], [0, 1, 0, 1]])
        #expect(r.topKAccuracy == nil)
    }

    /// End to end on images with a .lst: labels from the list, predictions from the model.
    @Test func evaluatesAnLstChannel() throws {
        let root = Fixtures.temporaryFolder("eval")
        defer { try? FileManager.default.removeItem(at: root) }
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"))
        // MXNet's answers: rgb0 and rgb1 both have class 1 (dog) as the model's top-1.
        for image in ["rgb0.png", "rgb1.png"] {
            try FileManager.default.copyItem(at: Fixtures.image(image), to: root.appendingPathComponent(image))
        }
        try Data("0\t0\trgb0.png\n1\t1\trgb1.png\n".utf8).write(to: root.appendingPathComponent("val.lst"))
        let source = try Dataset.open(root, options: .init(channel: "test", labels: .init(numClasses: 4)))
        let report = Evaluation.run(predictor: predictor, source: source, k: 2)
        #expect(report.samples == 2)
        #expect(abs(report.accuracy - 0.5) < 1e-12)
        #expect(report.confusion?[0] == [0, 1, 0, 0] && report.confusion?[1] == [0, 1, 0, 0])
        #expect(report.perClass[1].name == "dog")
    }

    /// Class folders named `dog` (and `fish`, holding the same images) at any sorted position.
    static func classFolders(_ folders: [String]) throws -> URL {
        let root = Fixtures.temporaryFolder("evalfolders")
        for folder in folders {
            let dir = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for image in ["rgb0.png", "rgb1.png"] {
                try FileManager.default.copyItem(at: Fixtures.image(image), to: dir.appendingPathComponent(image))
            }
        }
        return root
    }

    static func options(_ predictor: Predictor, warn: @escaping @Sendable (String) -> Void = { _ in }) -> Dataset.Options {
        var options = Dataset.Options(channel: "evaluation", labels: .init(numClasses: predictor.numClasses))
        options.warn = warn
        return EvaluationData.matchingClasses(of: predictor, options)
    }

    /// The model's classes.json names cat, dog, bird, fish: a folder `dog` holds class 1's
    /// images wherever it sorts (alone it would be position 0), so MXNet's top-1 (dog) is right.
    @Test(arguments: [["dog"], ["dog", "fish"], ["bird", "dog"]])
    func classFoldersMatchTheModelsNames(folders: [String]) throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"))
        let source = try EvaluationData.open(Self.classFolders(folders), options: Self.options(predictor))
        let report = Evaluation.run(predictor: predictor, source: source, k: 2)
        #expect(report.confusion?[1][1] == 2, "\(report.confusion)")
        #expect(report.samples == 2 * folders.count)
        #expect(report.perClass.map(\.name) == ["cat", "dog", "bird", "fish"])
    }

    /// A folder of no class of the model is an error naming it and the model's classes.
    @Test(arguments: ["zz", "Dog", "0"])
    func aFolderOfNoClassIsAnError(folder: String) throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"))
        let root = try Self.classFolders(["dog", folder])
        let error = #expect(throws: DatasetError.self) { try EvaluationData.open(root, options: Self.options(predictor)) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("class folder \(folder) not among the classes of the model's classes.json (cat, dog, bird, fish)"))
    }

    /// A model without names (MXNet's) numbers the folders by sorted position, and says so once.
    @Test func aModelWithoutNamesNumbersFoldersByPositionAndSaysSo() throws {
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet20-1x28x28"))
        #expect(predictor.classNames == nil)
        let notes = Notes()
        var options = Self.options(predictor, warn: { notes.add($0) })
        options.labels = .init(numClasses: nil)
        let source = try EvaluationData.open(Self.classFolders(["a", "b"]), options: options)
        #expect(try source.load(at: 2).labels == [1])
        #expect(notes.all.count == 1)
        #expect(notes.all.first?.contains("the model has no class names (no classes.json with 10 names) to match its folders by; class folders are numbered by their sorted position (0 = a, 1 = b)") == true, "\(notes.all)")
    }
}

/// Collects warnings from any thread.
final class Notes: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
