import Foundation
import Testing

/// Huge or negative option values are refused by the commands' validation, naming the option
/// and its range, before anything is sized from them (runs the built `imgclf`).
struct CommandOptionTests {
    static let binary: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return ["release", "debug"].map { root.appendingPathComponent(".build/\($0)/imgclf") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    @Test(.enabled(if: binary != nil, "imgclf is not built"), arguments: [
        (["serve", "--model", "m", "--max-payload-mb", "9223372036854775807"], "--max-payload-mb must be from 1 to 1024"),
        (["serve", "--model", "m", "--max-batch", "100000000000"], "--max-batch must be from 1 to 1024"),
        (["serve", "--model", "m", "--port", "70000"], "--port must be from 0 to 65535"),
        (["serve", "--model", "m", "--executor-memory-mb", "9007199254740992"], "--executor-memory-mb must be from 1"),
        (["serve", "--model", "m", "--idle-timeout", "0"], "--idle-timeout must be from 1"),
        (["serve", "--model", "m", "--max-connections=-1"], "--max-connections must be from 1"),
        (["predict", "--model", "m", "--batch-size", "9223372036854775807", "x.png"], "--batch-size must be from 1 to 1024"),
        (["predict", "--model", "m", "--top-k=-3", "x.png"], "--top-k must be from 0"),
        (["transform", "--model", "m", "--input", "i", "--jsonl", "o", "--batch-size", "0"], "--batch-size must be from 1 to 1024"),
        (["evaluate", "--model", "m", "--data", "d", "--batch-size", "4611686018427387904"], "--batch-size must be from 1 to 1024"),
    ] as [([String], String)])
    func hugeOptionValuesAreRefused(arguments: [String], message: String) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 64, "\(arguments): \(text)")
        #expect(text.contains(message), "\(arguments): \(text)")
    }
}
