import Foundation
import TestFixtures
import Testing

/// `imgclf export`, run as a user runs it (the tool `swift test` builds beside the tests).
@Suite(.removesTemporaryFolders)
struct ExportCommandTests {
    static var binary: URL {
        get throws {
            let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("imgclf")
            let candidates = [beside] + ["debug", "release"].map { ONNXRuntime.packageRoot.appendingPathComponent(".build/\($0)/imgclf") }
            guard let url = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
                throw NotBuilt()
            }
            return url
        }
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "imgclf is not built: run 'swift build --product imgclf' first" }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// The MXNet-written ResNet-8 with classes.json, exported by the command and run in ONNX Runtime.
    @Test func exportsAnMXNetArtifact() throws {
        let folder = try TemporaryFolders.make("export-cli")
        let file = folder.appendingPathComponent("resnet8.onnx")
        let result = try Self.run(["export", "--format", "onnx", "--model", SharedFixtures.model("resnet8-3x28x28").path, "--output", file.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("wrote \(file.path): ONNX opset 17"), "\(result.output)")
        let run = try ONNXRuntime.run(model: file, batches: [[Float](repeating: 128, count: 2 * 3 * 28 * 28)], workFolder: folder)
        #expect(run.info.metadata["class_names"] == #"["cat", "dog", "bird", "fish"]"#)
        #expect(run.outputs.first?.count == 8)
    }

    @Test(arguments: [
        (["export", "--format", "tflite", "--model", "m", "--output", "m.onnx"], "--format must be onnx, got 'tflite'"),
        (["export", "--format", "onnx", "--model", "/nonexistent/model", "--output", "m.onnx"], "--model /nonexistent/model: no such file or folder"),
        (["export", "--format", "onnx", "--model", "m", "--output", "/nonexistent-folder/m.onnx"],
         "--output /nonexistent-folder/m.onnx: the folder /nonexistent-folder does not exist"),
    ] as [([String], String)])
    func badOptionsAreRefusedByName(arguments: [String], message: String) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 64, "\(arguments): \(result.output)")
        #expect(result.output.contains(message), "\(arguments): \(result.output)")
    }

    @Test func anOutputThatIsAFolderIsRefused() throws {
        let folder = try TemporaryFolders.make("export-folder")
        let result = try Self.run(["export", "--format", "onnx", "--model", SharedFixtures.model("resnet8-3x28x28").path, "--output", folder.path])
        #expect(result.status == 64, "\(result.output)")
        #expect(result.output.contains("is a folder"), "\(result.output)")
    }
}
