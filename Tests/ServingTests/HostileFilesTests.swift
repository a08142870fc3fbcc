import ImageData
import Foundation
import Models
import Serving
import TestFixtures
import Testing

/// Batch transform, predict-style file reads and evaluate against hostile inputs: names that
/// climb out of --output, symbolic links, a --jsonl that is an input, empty files, FIFOs,
/// and a bare .rec given to evaluate.
@Suite(.serialized, .removesTemporaryFolders)
struct HostileFilesTests {
    static func predictor() throws -> Predictor {
        try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"), options: PredictorOptions(maxBatch: 4))
    }

    /// Every regular file under `folder` (following no links), relative paths.
    static func files(under folder: URL) -> Set<String> {
        Set((FileManager.default.enumerator(atPath: folder.path)?.allObjects as? [String] ?? []).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isDir) && !isDir.boolValue
        })
    }

    @Test func manifestAndListNamesStayInsideOutput() throws {
        let work = Fixtures.temporaryFolder("escape")
        defer { try? FileManager.default.removeItem(at: work) }
        let images = work.appendingPathComponent("a/b/c/images"), output = work.appendingPathComponent("a/b/c/out")
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: images.appendingPathComponent("ok.png"))
        try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: work.appendingPathComponent("x"))
        // A ManifestFile whose entries climb out of the prefix (and so of --output), and an absolute one.
        let manifest = images.appendingPathComponent("in.manifest")
        let entries = ["ok.png", "../../../../x", "sub/../../x", work.appendingPathComponent("x").path]
        try JSONSerialization.data(withJSONObject: [["prefix": images.path + "/"]] + entries).write(to: manifest)
        var warnings: [String] = []
        let summary = try BatchTransform.run(predictor: try Self.predictor(), inputs: try BatchTransform.inputs(from: manifest),
                                             output: output, jsonl: nil, warn: { warnings.append($0) })
        #expect(summary == TransformSummary(total: 4, succeeded: 1, failed: 3))
        #expect(warnings.filter { $0.contains("would leave --output") }.count == 3, "\(warnings)")
        #expect(Self.files(under: work) == ["x", "a/b/c/images/ok.png", "a/b/c/images/in.manifest", "a/b/c/out/ok.png.out"])

        // A text list with a ../ line.
        let list = images.appendingPathComponent("in.txt")
        try Data("ok.png\n../../../../x\r\n".utf8).write(to: list)
        warnings = []
        let listed = try BatchTransform.run(predictor: try Self.predictor(), inputs: try BatchTransform.inputs(from: list),
                                            output: output, jsonl: nil, warn: { warnings.append($0) })
        #expect(listed == TransformSummary(total: 2, succeeded: 1, failed: 1))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("x.out").path))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("a/x.out").path))
    }

    /// Names the fuzzer found: "/" then a combining mark is one Character but a separator to
    /// the file system, so "../\u{301}x" must be refused as "../x" is, and ".{/\u{65E}" must
    /// get its sub-folder made inside --output.
    @Test func combiningMarksAfterASlashStayInsideOutput() throws {
        let work = Fixtures.temporaryFolder("combining")
        let output = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        guard case .failure(let problem) = OutputPath.file(for: "../\u{301}x", under: output) else {
            Issue.record("a name climbing out of --output was accepted"); return
        }
        #expect(problem.detail.contains("'..' component"), "\(problem)")
        guard case .success(let file) = OutputPath.file(for: ".{{/\u{65E}", under: output) else {
            Issue.record("a name inside --output was refused"); return
        }
        let folder = try #require(OutputPath.realPath(file.deletingLastPathComponent().path))
        #expect(folder == OutputPath.realPath(output.path).map { $0 + "/.{{" }, "\(folder)")
    }

    @Test func symlinkedOutputSubfolderIsRefused() throws {
        let work = Fixtures.temporaryFolder("symout")
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("in"), output = work.appendingPathComponent("out"), elsewhere = work.appendingPathComponent("elsewhere")
        for folder in [input.appendingPathComponent("sub"), output, elsewhere] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: input.appendingPathComponent("sub/deep.png"))
        try FileManager.default.createSymbolicLink(at: output.appendingPathComponent("sub"), withDestinationURL: elsewhere)
        var warnings: [String] = []
        let summary = try BatchTransform.run(predictor: try Self.predictor(), inputs: try BatchTransform.inputs(from: input),
                                             output: output, jsonl: nil, warn: { warnings.append($0) })
        #expect(summary.failed == 1)
        #expect(warnings.first?.contains("outside --output") == true, "\(warnings)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }

    @Test func jsonlThatIsAnInputIsRefused() throws {
        let work = Fixtures.temporaryFolder("jsonlin")
        defer { try? FileManager.default.removeItem(at: work) }
        let image = work.appendingPathComponent("a.png")
        try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: image)
        let link = work.appendingPathComponent("link.jsonl")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: image)
        let before = try Data(contentsOf: image)
        for target in [image, link] {
            #expect {
                _ = try BatchTransform.run(predictor: try Self.predictor(), inputs: try BatchTransform.inputs(from: work),
                                           output: nil, jsonl: target)
            } throws: { "\($0)".contains("one of the inputs") }
        }
        #expect(try Data(contentsOf: image) == before)
    }

    @Test func emptyFilesAndFIFOsAreNamed() throws {
        let work = Fixtures.temporaryFolder("special")
        defer { try? FileManager.default.removeItem(at: work) }
        let empty = work.appendingPathComponent("empty.png"), fifo = work.appendingPathComponent("pipe.png")
        try Data().write(to: empty)
        #expect(mkfifo(fifo.path, 0o600) == 0)
        guard case .failure(let e1) = ImageFile.read(empty.path) else { Issue.record("read an empty file"); return }
        #expect(e1.description == "file \(empty.path): the file is empty (0 bytes)")
        guard case .failure(let e2) = ImageFile.read(fifo.path) else { Issue.record("read a FIFO"); return }
        #expect(e2.description.contains("not a regular file (it is a FIFO)"), "\(e2)")
        guard case .failure(let e3) = ImageFile.read("/dev/zero") else { Issue.record("read /dev/zero"); return }
        #expect(e3.description.contains("character device"), "\(e3)")
        // In a transform they become error lines naming the file.
        let out = work.appendingPathComponent("out.jsonl")
        let summary = try BatchTransform.run(predictor: try Self.predictor(),
                                             inputs: [TransformInput(file: empty, name: "empty.png"), TransformInput(file: fifo, name: "pipe.png")],
                                             output: nil, jsonl: out)
        #expect(summary.failed == 2)
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("file \(empty.path): the file is empty") && text.contains("a FIFO"), "\(text)")
    }

    /// `evaluate` over images that fail to decode names them and exits non-zero: an accuracy
    /// over 1 of 11 images is not a result. `--max-failed N` allows that many.
    @Test func evaluateFailsWhenImagesFail() throws {
        let work = Fixtures.temporaryFolder("evalfail")
        try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: work.appendingPathComponent("good.png"))
        var lines = ["0\t0\tgood.png"]
        for i in 1...10 {
            try Data("not an image \(i)".utf8).write(to: work.appendingPathComponent("bad\(i).png"))
            lines.append("\(i)\t0\tbad\(i).png")
        }
        let list = work.appendingPathComponent("eval.lst")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: list)
        let model = Fixtures.model("resnet8-3x28x28").path
        let failed = try ImgclfBinary.run(["evaluate", "--model", model, "--data", work.path, "--lst", list.path, "--json"])
        #expect(failed.status != 0)
        #expect(failed.output.contains("bad1.png") && failed.output.contains("error: 10 of 11 image(s) could not be classified"), "\(failed.output)")
        let allowed = try ImgclfBinary.run(["evaluate", "--model", model, "--data", work.path, "--lst", list.path, "--json", "--max-failed", "10"])
        #expect(allowed.status == 0, "\(allowed.output)")
    }

    /// `evaluate --data file.rec`: the record file is read directly.
    @Test func evaluateReadsABareRecFile() throws {
        let work = Fixtures.temporaryFolder("evalrec")
        defer { try? FileManager.default.removeItem(at: work) }
        let rec = work.appendingPathComponent("val.rec")
        var bytes: [UInt8] = []
        for (i, (name, label)) in [("rgb0.png", Float(0)), ("rgb1.png", Float(1))].enumerated() {
            bytes += RecordIO.encode(ImageRecordHeader(label: label, id: UInt64(i)).pack(image: Fixtures.bytes(name)))
        }
        try Data(bytes).write(to: rec)
        let predictor = try Self.predictor()
        let source = try EvaluationData.open(rec, options: Dataset.Options(
            channel: "evaluation", labels: LabelSpec(numClasses: predictor.numClasses, multiLabel: false)))
        #expect(source.count == 2)
        let report = Evaluation.run(predictor: predictor, source: source, k: 1)
        #expect(report.samples == 2 && report.failed == 0)
        #expect { _ = try EvaluationData.open(work.appendingPathComponent("notes.txt"), options: Dataset.Options(
            channel: "evaluation", labels: LabelSpec(numClasses: 4, multiLabel: false))) } throws: { "\($0)".contains("no such file") }
    }
}
