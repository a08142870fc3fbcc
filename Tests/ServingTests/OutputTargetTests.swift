import Foundation
import Models
import Serving
import Support
import TestFixtures
import Testing

/// Outputs never destroy what their path names: a regular file (or none) is replaced
/// atomically, a symbolic link's target is replaced and the link kept, a FIFO or /dev/stdout is
/// written through, a folder or a link loop is refused by name; a full disk leaves the old file
/// whole; no output overwrites the model it was made from.
@Suite(.serialized, .removesTemporaryFolders)
struct OutputTargetTests {
    /// A folder of `count` copies of a 28x28 PNG.
    static func images(_ count: Int, in work: URL) throws -> URL {
        let folder = work.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for i in 0..<count {
            try FileManager.default.copyItem(at: Fixtures.image("rgb0.png"), to: folder.appendingPathComponent("image-\(i).png"))
        }
        return folder
    }

    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        let work = Fixtures.temporaryFolder("outlink")
        let target = work.appendingPathComponent("real.json"), link = work.appendingPathComponent("link.json")
        try Data("old".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        try AtomicFile.write(Data("new".utf8), to: link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == target.path)
        #expect(try String(contentsOf: target, encoding: .utf8) == "new")
        // A dangling link: the file it names is created.
        let dangling = work.appendingPathComponent("dangling.json"), named = work.appendingPathComponent("made.json")
        try FileManager.default.createSymbolicLink(at: dangling, withDestinationURL: named)
        try AtomicFile.write(Data("made".utf8), to: dangling)
        #expect(try String(contentsOf: named, encoding: .utf8) == "made")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dangling.path) == named.path)
    }

    @Test func foldersSocketsAndLoopsAreRefusedByName() throws {
        let work = Fixtures.temporaryFolder("outrefuse")
        let folder = work.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: folder.appendingPathComponent("inside.txt"))
        #expect { try AtomicFile.write(Data("x".utf8), to: folder) } throws: { "\($0)".contains("\(folder.path): cannot write: is a folder") }
        #expect(try String(contentsOf: folder.appendingPathComponent("inside.txt"), encoding: .utf8) == "keep")
        let a = work.appendingPathComponent("a"), b = work.appendingPathComponent("b")
        try FileManager.default.createSymbolicLink(atPath: a.path, withDestinationPath: b.path)
        try FileManager.default.createSymbolicLink(atPath: b.path, withDestinationPath: a.path)
        #expect { try AtomicFile.write(Data("x".utf8), to: a) } throws: { "\($0)".contains("symbolic links form a loop") }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: a.path) == b.path)
        // Under /dev nothing is made, and a device that is not a character device is refused.
        #expect { try AtomicFile.write(Data("x".utf8), to: URL(fileURLWithPath: "/dev/imgclf-no-such-device")) } throws: {
            "\($0)".contains("does not exist")
        }
        #expect(!FileManager.default.fileExists(atPath: "/dev/imgclf-no-such-device"))
        // /dev/null is a character device: written through, and still /dev/null.
        try AtomicFile.write(Data("x".utf8), to: URL(fileURLWithPath: "/dev/null"))
        #expect(FileKindProbe.mode("/dev/null") == S_IFCHR)
    }

    /// A FIFO gets the bytes as they are written, and stays a FIFO.
    @Test func aFIFOIsWrittenThrough() async throws {
        let work = Fixtures.temporaryFolder("outfifo")
        let fifo = work.appendingPathComponent("out.json")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let reader = Task.detached { FileKindProbe.readAll(fifo.path) }
        try AtomicFile.write(Data("through".utf8), to: fifo)
        #expect(String(decoding: await reader.value, as: UTF8.self) == "through")
        #expect(FileKindProbe.isFIFO(fifo.path))
        // Also for writers that produce a file first (libarchive's tar.gz).
        let archiveReader = Task.detached { FileKindProbe.readAll(fifo.path) }
        let member = work.appendingPathComponent("member.txt")
        try Data("member".utf8).write(to: member)
        try TarGz.write([(name: "member.txt", path: member)], to: fifo)
        #expect(await archiveReader.value.prefix(2) == Data([0x1f, 0x8b]))
        #expect(FileKindProbe.isFIFO(fifo.path))
    }

    /// `transform --jsonl /dev/stdout` prints the lines, and /dev/stdout stays the symbolic
    /// link it is (as root, an atomic replace would make it a regular file).
    @Test func jsonlToStandardOutputPrintsTheLines() throws {
        let work = Fixtures.temporaryFolder("outstdout")
        let images = try Self.images(3, in: work)
        let outcome = try ImgclfBinary.run(["transform", "--model", Fixtures.model("resnet8-3x28x28").path,
                                            "--input", images.path, "--jsonl", "/dev/stdout"])
        #expect(outcome.status == 0, "\(outcome.output)")
        let lines = outcome.output.split(separator: "\n").filter { $0.hasPrefix("{\"file\"") }
        #expect(lines.count == 3, "\(outcome.output)")
        #expect(FileKindProbe.isSymbolicLink("/dev/stdout"))
    }

    /// A disk that fills up while `transform --jsonl` writes: a clear error naming the file,
    /// no trap, and the old file left whole (no half line).
    @Test func aFullDiskLeavesTheOldJSONLinesFile() throws {
        let work = Fixtures.temporaryFolder("outfull")
        let images = try Self.images(40, in: work)
        let jsonl = work.appendingPathComponent("out.jsonl")
        try Data("{\"old\": true}\n".utf8).write(to: jsonl)
        let outcome = try ImgclfBinary.run(["transform", "--model", Fixtures.model("resnet8-3x28x28").path,
                                            "--input", images.path, "--jsonl", jsonl.path], fileSizeLimitKB: 1)
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("\(jsonl.path): cannot write: File too large"), "\(outcome.output)")
        #expect(!outcome.output.contains("Fatal error"), "\(outcome.output)")
        #expect(try String(contentsOf: jsonl, encoding: .utf8) == "{\"old\": true}\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work.path).sorted() == ["images", "out.jsonl"])
    }

    /// `export` onto the model's own files, and `quantize` into the folder that holds the model
    /// or into a folder that is not a model's, are refused; the model stays whole.
    @Test func outputsNeverOverwriteTheModel() throws {
        let work = Fixtures.temporaryFolder("outmodel")
        let model = work.appendingPathComponent("run/model")
        try FileManager.default.createDirectory(at: model.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.model("resnet8-3x28x28"), to: model)
        let names = try FileManager.default.contentsOfDirectory(atPath: model.path).sorted()
        let params = try #require(names.first { $0.hasSuffix(".params") })
        let before = try Data(contentsOf: model.appendingPathComponent(params))
        let link = work.appendingPathComponent("link.onnx")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: model.appendingPathComponent(params))
        for output in [model.appendingPathComponent(params), link] {
            let export = try ImgclfBinary.run(["export", "--format", "onnx", "--model", model.path, "--output", output.path])
            #expect(export.status != 0 && export.output.contains("the input model's own file"), "\(export.output)")
        }
        let calibration = try Self.images(2, in: work)
        let parent = try ImgclfBinary.run(["quantize", "--model", model.path, "--calibration", calibration.path,
                                           "--output", model.deletingLastPathComponent().path])
        #expect(parent.status != 0 && parent.output.contains("this folder holds the input model"), "\(parent.output)")
        let stranger = work.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: stranger, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: stranger.appendingPathComponent("holiday.txt"))
        let other = try ImgclfBinary.run(["quantize", "--model", model.path, "--calibration", calibration.path, "--output", stranger.path])
        #expect(other.status != 0 && other.output.contains("is not a model folder (it holds holiday.txt)"), "\(other.output)")
        #expect(try String(contentsOf: stranger.appendingPathComponent("holiday.txt"), encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: model.path).sorted() == names)
        #expect(try Data(contentsOf: model.appendingPathComponent(params)) == before)
        // An earlier quantized model folder is replaced as before.
        let quantized = work.appendingPathComponent("int8")
        for _ in 0..<2 {
            let run = try ImgclfBinary.run(["quantize", "--model", model.path, "--calibration", calibration.path, "--output", quantized.path])
            #expect(run.status == 0, "\(run.output)")
        }
    }

    /// A FIFO or a device as `--model` is named at once instead of blocking forever.
    @Test func aFIFOAsTheModelIsNamed() throws {
        let work = Fixtures.temporaryFolder("modelfifo")
        let fifo = work.appendingPathComponent("model.tar.gz")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        let image = try Self.images(1, in: work).appendingPathComponent("image-0.png")
        for model in [fifo.path, "/dev/zero"] {
            let outcome = try ImgclfBinary.run(["predict", "--model", model, image.path])
            #expect(outcome.status != 0)
            #expect(outcome.output.contains("\(model): it is a") && outcome.output.contains("expected a model.tar.gz file or a model folder"), "\(outcome.output)")
        }
        // A FIFO inside a model folder, too.
        let folder = work.appendingPathComponent("folder")
        try FileManager.default.copyItem(at: Fixtures.model("resnet8-3x28x28"), to: folder)
        #expect(mkfifo(folder.appendingPathComponent("extra.json").path, 0o600) == 0)
        let outcome = try ImgclfBinary.run(["predict", "--model", folder.path, image.path])
        #expect(outcome.status != 0 && outcome.output.contains("extra.json: it is a FIFO"), "\(outcome.output)")
    }
}

/// `serve` on a port another process holds: the error names the address and the port
/// (NIO's own says only "Address already in use").
@Suite struct ServeBindErrorTests {
    @Test func aPortInUseIsNamed() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        #expect(bound && listen(listener, 1) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let outcome = try ImgclfBinary.run(["serve", "--model", Fixtures.model("resnet8-3x28x28").path, "--host", "127.0.0.1",
                                            "--port", String(port), "--no-ui"])
        #expect(outcome.status != 0)
        #expect(outcome.output.contains("cannot listen on 127.0.0.1:\(port)"), "\(outcome.output)")
    }
}

/// File kinds for the assertions (lstat: a link is not followed).
enum FileKindProbe {
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }
    static func isFIFO(_ path: String) -> Bool { mode(path) == S_IFIFO }
    static func isSymbolicLink(_ path: String) -> Bool { mode(path) == S_IFLNK }
    /// Everything a FIFO gives until its writer closes (Foundation refuses to read FIFOs).
    static func readAll(_ path: String) -> Data {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return Data() }
        defer { close(fd) }
        var data = Data(), buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }
}
