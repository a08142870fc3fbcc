import ArgumentParser
import Foundation
import Serving

/// `imgclf predict --model PATH IMAGE...`: one JSON line per image with every class
/// probability and the top-k classes (with names when the artifact has them).
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify images with a model artifact (ours, MXNet's or the managed service's); one JSON line per image.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var epoch: EpochOption
    @Argument(help: "JPEG or PNG files.") var images: [String]
    @Option(name: .customLong("top-k"), help: "How many of the most probable classes to list.") var topK = 5

    func validate() throws {
        try requireRange(topK, 0...1_000_000, option: "--top-k")
    }

    func run() throws {
        let predictor = try modelOptions.predictor(epoch: epoch.epoch)
        let batchSize = modelOptions.batchSize
        var failed = 0
        var start = 0
        while start < images.count {
            let chunk = Array(images[start..<min(images.count, start + batchSize)])
            var bytes: [[UInt8]] = []
            var readErrors: [Int: String] = [:]
            for (i, path) in chunk.enumerated() {
                switch ImageFile.read(path) {
                case .success(let data): bytes.append(data)
                case .failure(let problem):
                    readErrors[i] = problem.description
                    bytes.append([])
                }
            }
            let results = predictor.predict(bytes)
            for (i, path) in chunk.enumerated() {
                if let message = readErrors[i] {
                    print(PredictionOutput.errorLine(file: path, error: message)); failed += 1; continue
                }
                switch results[i] {
                case .success(let p):
                    print(PredictionOutput.line(file: path, probabilities: p, k: topK, classNames: predictor.classNames))
                case .failure(let e):
                    print(PredictionOutput.errorLine(file: path, error: e.description)); failed += 1
                }
            }
            start += chunk.count
        }
        if failed > 0 {
            FileHandle.standardError.write(Data("\(failed) of \(images.count) image(s) could not be classified\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// An optional `--image-shape C,H,W` option's value.
func parseShape(_ text: String?) throws -> [Int]? {
    try text.map { try parseImageShape($0, option: "--image-shape") }
}
