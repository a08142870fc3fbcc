import ArgumentParser
import Foundation
import Support
import Serving

/// `imgclf transform`: batch transform over local files, one `<input name>.out` per image
/// (the `/invocations` JSON Lines response) or one JSON line per image with `--jsonl`.
struct TransformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transform",
        abstract: "Batch transform: classify every image of a folder or manifest into <name>.out files or one JSON Lines file.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var limits: MaxPixelsOption
    @Option(name: .customLong("input"), help: "A folder of images (recursive), a ManifestFile JSON or a text file of paths.") var input: String
    @Option(name: .customLong("output"), help: "Folder for the <input name>.out files.") var output: String?
    @Option(name: .customLong("jsonl"), help: "Write one JSON line per image to this file instead of .out files.") var jsonl: String?
    @Option(name: .customLong("accept"), help: "Body of each .out file, as the service's batch transform Accept: application/json (an array) or application/jsonlines (the default).") var accept = ResponseFormat.jsonLines
    @Option(name: .customLong("max-failed"), help: "Images that may fail (each gets an error line) before the job exits non-zero.") var maxFailed = 0

    func validate() throws {
        guard (output == nil) != (jsonl == nil) else { throw ValidationError("give exactly one of --output DIR and --jsonl FILE") }
        try requireRange(maxFailed, 0...Int(Int32.max), option: "--max-failed")
    }

    func run() throws {
        ProcessNice.applyToCurrentThread()
        let predictor = try modelOptions.predictor(maxPixels: limits.maxPixels)
        let inputs = try BatchTransform.inputs(from: URL(fileURLWithPath: input))
        let bar = ProgressBar(label: "transform")
        let summary = try BatchTransform.run(
            predictor: predictor, inputs: inputs,
            output: output.map { URL(fileURLWithPath: $0) }, jsonl: jsonl.map { URL(fileURLWithPath: $0) },
            inputSource: URL(fileURLWithPath: input), accept: accept,
            warn: { printWarning($0) },
            progress: { bar.update(done: $0, total: $1) })
        FileHandle.standardError.write(Data("transform: \(summary.succeeded) of \(summary.total) image(s) classified, \(summary.failed) failed\n".utf8))
        if summary.failed > maxFailed {
            FileHandle.standardError.write(Data("error: \(summary.failed) image(s) failed, more than --max-failed \(maxFailed) allows (each has an error line)\n".utf8))
            throw ExitCode.failure
        }
    }
}
