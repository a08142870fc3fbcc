import ArgumentParser
import ImageData
import Foundation
import Support
import Graph
import Models
import Training

/// `imgclf benchmark`: the compute core on synthetic data, or with `--data` the input
/// pipeline alone. Prints one JSON line.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure training and inference images/s on synthetic data, or the input pipeline with --data.")

    @Option(name: .customLong("num_layers"), help: "ResNet depth.") var numLayers: Int = 18
    @Option(name: .customLong("image_shape"), help: "C,H,W") var imageShape: String = "3,224,224"
    @Option(name: .customLong("mini_batch_size")) var miniBatchSize: Int = 32
    @Option(name: .customLong("precision_dtype"), help: "float32, float16 (our bf16 mixed precision) or int8 (inference only: convolutions calibrated on the synthetic batch).")
    var precisionDtype: BenchmarkPrecision = .float32
    @Option(name: .customLong("iterations"), help: "Timed iterations (after 2 warm-up ones).") var iterations: Int = 10
    @Option(name: .customLong("num_classes")) var numClasses: Int = 1000
    @Option(name: .customLong("convolutions"), help: "Inference convolutions: automatic (Winograd where it pays, on AVX-512), direct, or winograd (wherever oneDNN has it).")
    var convolutions: ChoiceWithOwnMessage<ConvolutionAlgorithm> = .init(.automatic)
    @Flag(name: .customLong("infer-only")) var inferOnly = false
    @Flag(name: .customLong("train-only")) var trainOnly = false
    @Flag(help: "Print to standard error where the timed training iterations spent their time, per operator kind, with the convolutions' GFLOP/s against the cores' estimated peak.") var profile = false

    @Option(name: .customLong("data"), help: "A .rec file or image folder: measure the input pipeline alone.") var data: String?
    @Option(name: .customLong("resize")) var resize: Int?
    @Option(name: .customLong("augmentation_type")) var augmentationType: AugmentationType?
    @Option(name: .customLong("threads")) var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(name: .customLong("seconds")) var seconds: Double = 10

    func validate() throws {
        _ = try parseImageShape(imageShape)
        if convolutions.choice == nil {
            throw ValidationError("convolutions must be automatic, direct or winograd, got '\(convolutions.text)'")
        }
        if data == nil, precisionDtype == .int8, !inferOnly {
            throw ValidationError("precision_dtype int8 is for inference only: add --infer-only")
        }
    }

    func run() throws {
        ProcessNice.applyToCurrentThread()
        let shape = try parseImageShape(imageShape)
        if let data {
            let augmentation = augmentationType
            let rate = try InputPipelineBenchmark.run(data: URL(fileURLWithPath: data), imageShape: shape, resize: resize,
                                                      augmentation: augmentation, batchSize: miniBatchSize,
                                                      threads: threads, seconds: seconds).imagesPerSecond
            let aug = augmentation?.rawValue ?? "none"
            print("{\"img_s\": \(String(format: "%.1f", rate)), \"augmentation_type\": \"\(aug)\", \"threads\": \(threads)}")
            return
        }
        let trainingProfile = profile && !inferOnly ? TrainingProfile() : nil
        let result = try ComputeBenchmark.run(numLayers: numLayers, imageShape: shape, batch: miniBatchSize,
                                              numClasses: numClasses, iterations: iterations,
                                              train: !inferOnly, infer: !trainOnly,
                                              precision: precisionDtype == .float16 ? .bfloat16 : .float32,
                                              int8: precisionDtype == .int8,
                                              convolutions: convolutions.choice ?? .automatic,
                                              profile: trainingProfile)
        if let trainingProfile {
            let peak = CorePeak.estimated()
            FileHandle.standardError.write(Data("Estimated peak: \(String(format: "%.0f", peak.gflops)) GFLOP/s (\(peak.detail))\n".utf8))
            for line in trainingProfile.lines(span: "of \(iterations) training iterations", peak: peak) {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }
}

/// A command's image-shape option: MXNet's "C,H,W" (spaces allowed).
func parseImageShape(_ text: String, option: String = "--image_shape") throws -> [Int] {
    guard let shape = ImageShape.parse(text), ImageShape.isValid(shape) else {
        throw ValidationError("\(option) must be \(ImageShape.expected); got '\(text)'")
    }
    return shape
}
