import CFuzzerDriver
import Foundation

/// What every fuzz target shares: the input as bytes, a scratch folder for parsers that read
/// files, and the repository's test resources (the same files the seed corpora come from).
public enum Fuzz {
    /// The input libFuzzer hands over, copied into an array.
    public static func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// One scratch folder per process (several fuzzers may run at once), removed at exit
    /// only by the script: a crash must not take the evidence with it.
    public static let scratch: URL = {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("imgclf-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `bytes` to `name` in the scratch folder, replacing the previous input.
    public static func file(_ name: String, _ bytes: [UInt8]) -> URL {
        let url = scratch.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url
    }

    /// The repository root, found from this file's place in it (Fuzz/Sources/FuzzSupport).
    public static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A file or folder under `Tests/`, e.g. `resource("ImageDataTests/Resources/recordio/images.rec")`.
    public static func resource(_ path: String) -> URL {
        repository.appendingPathComponent("Tests").appendingPathComponent(path)
    }

    /// Bounds how many records, lines or samples one input may make a target visit, so one
    /// input stays fast whatever it declares.
    public static let maxItems = 64

    /// Runs libFuzzer on `target` with the process's arguments (libFuzzer's flags, corpus
    /// folders) and exits with its status. Called from each target's `main`.
    public static func run(_ target: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
    }
}
