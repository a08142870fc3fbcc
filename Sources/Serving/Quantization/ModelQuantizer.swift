import ImageData
import Foundation
import Support
import Graph
import Models

/// `imgclf quantize`: calibrates a float32 artifact's convolution inputs on images and writes
/// the same artifact with `quantization.json` (``QuantizationTable``) beside its files.
public enum ModelQuantizer {
    /// One calibration image: a name for messages and the table, and how to read its bytes.
    public struct CalibrationImage: Sendable {
        public var reference: String
        public var read: @Sendable () throws -> [UInt8]
    }

    /// The images of `url`: a folder (every file, recursively, in byte order: the transform's
    /// listing), a `.rec` file (every record), a `.lst` list (paths relative to its folder), or a
    /// manifest/text list of paths as `transform` takes.
    public static func calibrationImages(from url: URL) throws -> [CalibrationImage] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw QuantizeError.unreadableCalibration(path: url.path, reason: "no such file or folder")
        }
        let ext = url.pathExtension.lowercased()
        var images: [CalibrationImage]
        if !isDirectory.boolValue && ext == "rec" {
            let source: RecordFileSource
            do { source = try RecordFileSource(url: url, labels: LabelSpec(numClasses: nil)) } catch {
                throw QuantizeError.unreadableCalibration(path: url.path, reason: "\(error)")
            }
            images = (0..<source.count).map { i in
                CalibrationImage(reference: source.reference(at: i), read: { try source.load(at: i).imageBytes })
            }
        } else if !isDirectory.boolValue && ext == "lst" {
            let list: LstFile
            do {
                list = try LstFile.load(url, root: url.deletingLastPathComponent(), labels: LabelSpec(numClasses: nil), checkFiles: false)
            } catch {
                throw QuantizeError.unreadableCalibration(path: url.path, reason: "\(error)")
            }
            images = list.samples(root: url.deletingLastPathComponent(), listName: url.lastPathComponent).map { sample in
                CalibrationImage(reference: sample.reference, read: { try ImageFile.read(sample.file.path).get() })
            }
        } else {
            do {
                images = try BatchTransform.inputs(from: url).map { input in
                    CalibrationImage(reference: input.file.path, read: { try ImageFile.read(input.file.path).get() })
                }
            } catch TransformError.noImages {
                images = []
            } catch {
                throw QuantizeError.unreadableCalibration(path: url.path, reason: "\(error)")
            }
        }
        if images.isEmpty { throw QuantizeError.noCalibrationImages(path: url.path) }
        return images
    }

    /// `limit` images spread evenly over `images` (all of them when there are fewer), so a
    /// folder sorted by class contributes every class.
    public static func spread(_ images: [CalibrationImage], limit: Int) -> [CalibrationImage] {
        guard images.count > limit, limit > 0 else { return images }
        return (0..<limit).map { images[$0 * images.count / limit] }
    }

    /// Runs `images` through a float32 inference executor of the artifact, `batch` at a time,
    /// preprocessed as the predictor does, and returns the calibrated table. Images that cannot
    /// be read or decoded are skipped (each reported to `warn`); none usable is an error.
    public static func calibrate(artifact: ModelArtifact, images: [CalibrationImage], source: String, batch: Int = 32,
                                 imageShape: [Int]? = nil, maxPixels: Int = PredictorOptions().maxPixels,
                                 warn: (String) -> Void = { _ in }) throws -> QuantizationTable {
        guard !images.isEmpty else { throw QuantizeError.noCalibrationImages(path: source) }
        guard let contract = artifact.preprocessingContract(imageShape: imageShape) else {
            throw PredictorError.noImageShape(source: artifact.source)
        }
        let pre = Preprocessor(contract: contract, maxPixels: maxPixels)
        let workspace = pre.makeWorkspace()
        let n = max(1, min(batch, images.count))
        let store = ParameterStore()
        // Every convolution's input must still be readable after the pass.
        let executor = try Executor(symbol: artifact.symbol, parameters: store, dataShape: [n] + contract.imageShape, mode: .inference,
                                    preservesValues: true)
        try store.load(artifact.parameters, source: artifact.source, requireAll: true)
        var calibrator = QuantizationCalibrator(symbol: artifact.symbol)
        let size = pre.outputCount
        var buffer = [Float](repeating: 0, count: n * size)
        var filled = 0, used: [String] = [], firstProblem: String?
        func run() throws {
            guard filled > 0 else { return }
            executor.setData(buffer)
            try executor.forward()
            try calibrator.observe(executor, count: filled)
            filled = 0
        }
        for image in images {
            do {
                let bytes = try image.read()
                try buffer.withUnsafeMutableBufferPointer { b in
                    guard let base = b.baseAddress else { return }
                    try pre.prepare(bytes, workspace: workspace, into: base + filled * size)
                }
                filled += 1
                used.append(image.reference)
            } catch {
                let problem = "\(image.reference): \(error)"
                firstProblem = firstProblem ?? problem
                warn("skipping calibration image \(problem)")
            }
            if filled == n { try run() }
        }
        try run()
        guard !used.isEmpty else {
            throw QuantizeError.noUsableImages(path: source, tried: images.count, firstProblem: firstProblem ?? "unknown")
        }
        let record = QuantizationTable.Calibration(images: used.count, files: used, source: source,
                                                   date: ISO8601DateFormatter().string(from: Date()))
        return calibrator.table(calibration: record)
    }

    /// Writes `artifact` (with its table) to `output`: a folder, or a `.tar.gz` when `archive`.
    /// Nothing partial is ever at `output`: the files go to a temporary folder beside it, which
    /// is renamed into place (an existing folder there is replaced only once the new one is
    /// complete); an archive is written through ``TarGz/write(_:to:)``, atomically.
    public static func write(_ artifact: ModelArtifact, to output: URL, archive: Bool) throws {
        let fm = FileManager.default
        let parent = output.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw QuantizeError.cannotWrite(path: output.path, reason: "the folder \(parent.path) does not exist")
        }
        let staging = parent.appendingPathComponent(".\(output.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? fm.removeItem(at: staging) }
        let names = try artifact.write(to: staging)
        if archive {
            try TarGz.write(names.map { ($0, staging.appendingPathComponent($0)) }, to: output)
            return
        }
        if fm.fileExists(atPath: output.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw QuantizeError.cannotWrite(path: output.path, reason: "a file of that name exists (not a folder); remove it or choose another --output")
            }
            let old = parent.appendingPathComponent(".\(output.lastPathComponent).old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            guard rename(output.path, old.path) == 0 else {
                throw QuantizeError.cannotWrite(path: output.path, reason: "cannot move the existing folder aside: \(SystemErrorText.current())")
            }
            guard rename(staging.path, output.path) == 0 else {
                let reason = SystemErrorText.current()
                _ = rename(old.path, output.path)
                throw QuantizeError.cannotWrite(path: output.path, reason: reason)
            }
            try? fm.removeItem(at: old)
        } else {
            guard rename(staging.path, output.path) == 0 else {
                throw QuantizeError.cannotWrite(path: output.path, reason: SystemErrorText.current())
            }
        }
    }
}
