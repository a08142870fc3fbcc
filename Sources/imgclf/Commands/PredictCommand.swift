import ArgumentParser
import Foundation
import Support
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
        ProcessNice.applyToCurrentThread()
        let predictor = try modelOptions.predictor(epoch: epoch.epoch)
        var failed = 0
        predictor.classifyInBatches(count: images.count, read: { i in try ImageFile.read(images[i]).get() }, deliver: { (i, outcome) throws(Never) in
            switch outcome {
            case .classified(let p):
                print(PredictionOutput.line(file: images[i], probabilities: p, k: topK, classNames: predictor.classNames))
            case .failed(let message):
                print(PredictionOutput.errorLine(file: images[i], error: message))
                failed += 1
            }
        })
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
