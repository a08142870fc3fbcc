import ArgumentParser
import ImageData
import Foundation
import Graph
import Serving

/// `imgclf inspect FILE`: what a `.rec`, `.params` or `.lst` holds, as JSON lines.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Describe a .rec (one JSON line per record), a .params (one per array) or validate a .lst.",
        discussion: """
        The file's kind comes from its first bytes (RecordIO's magic word, the .params magic number), \
        else from its extension. A .lst is checked as training would read it: its columns, its labels \
        (with --num-classes, and --multi-label for multi-hot columns) and, unless --no-check-files, that \
        every image exists; a bad list prints {"valid": false} and each problem with its line, and exits 1.
        """)

    @Argument(help: "The file to inspect.") var file: String
    @Option(help: "Index of a .rec (default: the .idx beside it, if any).") var idx: String?
    @Option(help: ".lst only: folder the image paths are relative to (default: the list's folder).") var root: String?
    @Option(help: ".lst only: check labels lie in 0..<N.") var numClasses: Int?
    @Flag(help: ".lst only: expect num-classes multi-hot label columns.") var multiLabel = false
    @Flag(help: ".lst only: do not check that every image file exists.") var noCheckFiles = false

    func validate() throws {
        if let numClasses { try requireRange(numClasses, 1...Int(Int32.max), option: "--num-classes") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: file)
        switch try kind(of: url) {
        case .rec:
            try RecordInspector.inspect(rec: url, index: idx.map { URL(fileURLWithPath: $0) }) { print($0) }
        case .params:
            for (name, array) in try ParamsFile.read(contentsOf: url) {
                print("{\"name\": \(JSONText.string(name)), \"dtype\": \"\(array.dtype.name)\", \"shape\": [\(array.shape.map(String.init).joined(separator: ", "))]}")
            }
        case .lst:
            let rootURL = root.map { URL(fileURLWithPath: $0) } ?? url.deletingLastPathComponent()
            do {
                let list = try LstFile.load(url, root: rootURL, labels: LabelSpec(numClasses: numClasses, multiLabel: multiLabel),
                                            checkFiles: !noCheckFiles)
                print("{\"file\": \(JSONText.string(url.path)), \"valid\": true, \"entries\": \(list.entries.count)}")
            } catch {
                print("{\"file\": \(JSONText.string(url.path)), \"valid\": false}")
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }

    private enum Kind { case rec, params, lst }

    /// RecordIO and .params are recognised by their first bytes; a list by its extension.
    private func kind(of url: URL) throws -> Kind {
        // A FIFO would block the open below, and a device never ends.
        if let problem = FileKind.problem(url.path, expected: "a .rec, .params or .lst file") {
            throw ValidationError("\(url.path): \(problem)")
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw ValidationError("\(url.path): cannot open for reading")
        }
        let head = [UInt8](handle.readData(ofLength: 8))
        try? handle.close()
        if head.count >= 4 && head[0..<4] == [0x0A, 0x23, 0xD7, 0xCE] { return .rec }
        if head.count >= 8 && head == [0x12, 0x01, 0, 0, 0, 0, 0, 0] { return .params }
        switch url.pathExtension.lowercased() {
        case "lst": return .lst
        case "rec": return .rec  // empty or damaged: the reader reports where
        case "params": return .params
        default:
            throw ValidationError("\(url.path): not a RecordIO file (magic 0A 23 D7 CE), an MXNet .params file (0x112) or a .lst list")
        }
    }
}
