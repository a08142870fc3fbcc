import Foundation

/// The built `imgclf` tool, run as a user (or the service's container) runs it.
public enum ImgclfBinary {
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The tool beside the test executable (same build), else the release build.
    public static var url: URL? {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imgclf")
        return [beside, repository.appendingPathComponent(".build/release/imgclf")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `imgclf ARGS` with `environment` added to this process's, and waits for it.
    /// `fileSizeLimitKB` makes the disk "fill up" for it: writes past that size fail with
    /// EFBIG ("File too large") instead of killing the process (SIGXFSZ ignored).
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           fileSizeLimitKB: Int? = nil) throws -> Outcome {
        guard let url else { throw NotBuilt() }
        let process = Process()
        if let fileSizeLimitKB {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "ulimit -f \(fileSizeLimitKB); trap '' XFSZ; exec \"$0\" \"$@\"", url.path] + arguments
        } else {
            process.executableURL = url
            process.arguments = arguments
        }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "imgclf is not built: run 'swift build -c release --product imgclf' first" }
    }
}
