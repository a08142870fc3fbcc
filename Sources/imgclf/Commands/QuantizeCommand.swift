import ArgumentParser
import Foundation
import Support
import Models
import Serving

/// `imgclf quantize --model M --calibration DATA --output M8`: calibrates the model's
/// convolution inputs on DATA and writes M8, the same artifact plus `quantization.json`;
/// `predict`, `serve` and `transform` then run its convolutions in int8.
struct QuantizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Write an int8 artifact: the model plus quantization.json, its convolution input scales calibrated on images.")

    @OptionGroup var artifactOptions: ArtifactOptions
    @OptionGroup var limits: MaxPixelsOption
    @Option(help: "Calibration images: a folder (recursive), a .rec file or a .lst list.") var calibration: String
    @Option(help: "Where to write the quantized artifact: a folder, or a .tar.gz (the default when --model is an archive).") var output: String
    @Option(help: "How many images to calibrate on (spread evenly over the data).") var calibrationImages = 256
    @Option(help: "Images per calibration forward pass.") var batchSize = 32

    func validate() throws {
        try requireRange(calibrationImages, 1...1_000_000, option: "--calibration-images")
        try requireRange(batchSize, 1...1024, option: "--batch-size")
    }

    func run() throws {
        ProcessNice.applyToCurrentThread()
        let modelURL = URL(fileURLWithPath: artifactOptions.model).standardizedFileURL
        let outputURL = URL(fileURLWithPath: output).standardizedFileURL
        if modelURL.path == outputURL.path
            || (ImageFile.identity(modelURL.path) != nil && ImageFile.identity(modelURL.path) == ImageFile.identity(outputURL.path)) {
            throw QuantizeError.outputIsInput(path: outputURL.path)
        }
        try ArtifactOutputGuard.checkFolder(outputURL, model: modelURL)
        try ArtifactOutputGuard.checkFile(outputURL, isNotPartOf: modelURL)
        var isDirectory: ObjCBool = false
        let modelIsArchive = FileManager.default.fileExists(atPath: modelURL.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        let outputIsArchive = outputURL.lastPathComponent.hasSuffix(".tar.gz") || outputURL.pathExtension == "tgz"
        var artifact = try artifactOptions.load(from: modelURL)
        let all = try ModelQuantizer.calibrationImages(from: URL(fileURLWithPath: calibration))
        let chosen = ModelQuantizer.spread(all, limit: calibrationImages)
        let table = try ModelQuantizer.calibrate(artifact: artifact, images: chosen, source: calibration, batch: batchSize,
                                                 imageShape: try artifactOptions.shape.shape(), maxPixels: limits.maxPixels,
                                                 warn: { printWarning($0) })
        artifact.quantization = table
        try ModelQuantizer.write(artifact, to: outputURL, archive: modelIsArchive || outputIsArchive)
        let unsigned = table.convolutions.values.filter(\.inputNonNegative).count
        FileHandle.standardError.write(Data(("quantize: \(table.convolutions.count) convolution(s) in int8 (\(unsigned) with u8 inputs), "
            + "calibrated on \(table.calibration?.images ?? 0) image(s); wrote \(outputURL.path)\n").utf8))
    }
}
