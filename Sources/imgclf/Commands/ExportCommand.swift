import ArgumentParser
import Foundation
import Models
import ONNXExport

/// `imgclf export --format onnx --model PATH --output FILE`: the artifact (ours, MXNet's or
/// the service's) as an ONNX model, written atomically; see docs/onnx.md for what the graph
/// takes and what its metadata holds.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a model artifact (ours, MXNet's or the managed service's) as an ONNX model (opset 17, dynamic batch).")

    @Option(help: "The output format: onnx.") var format: ChoiceWithOwnMessage<ExportFormat>
    @OptionGroup var artifact: ArtifactOptions
    @Option(help: "The file to write (replaced atomically), e.g. model.onnx.") var output: String

    func validate() throws {
        guard format.choice != nil else { throw ValidationError("--format must be onnx, got '\(format.text)'") }
        guard !output.isEmpty else { throw ValidationError("--output must name the file to write, e.g. model.onnx") }
        let file = URL(fileURLWithPath: output)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), isFolder.boolValue {
            throw ValidationError("--output \(output) is a folder; give the file to write, e.g. \(file.appendingPathComponent("model.onnx").path)")
        }
        let folder = file.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("--output \(output): the folder \(folder.path) does not exist")
        }
        let model = artifact.model
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("--model \(model): no such file or folder") }
        do { try ArtifactOutputGuard.checkFile(file, isNotPartOf: URL(fileURLWithPath: model)) } catch {
            throw ValidationError("--output \(error)")
        }
    }

    func run() throws {
        let exporter = try ONNXExporter(artifact: try artifact.load(), imageShape: try artifact.shape.shape())
        try exporter.write(to: URL(fileURLWithPath: output))
        let m = exporter.metadata
        let dims = ([ONNXExporter.batchDimension] + m.imageShape.map(String.init)).joined(separator: ", ")
        print("wrote \(output): ONNX opset \(ONNXExporter.opsetVersion), input \(ONNXExporter.inputName) float32 [\(dims)], "
              + "output \(ONNXExporter.outputName) [\(ONNXExporter.batchDimension), \(m.classNames.count)] (\(m.outputActivation)), "
              + "class names from \(m.namedClasses ? ModelArtifact.classesFile : "the indices"); "
              + "\(exporter.nodeCount) nodes, \(exporter.initializerCount) initializers")
    }
}
