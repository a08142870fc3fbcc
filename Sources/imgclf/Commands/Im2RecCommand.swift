import ArgumentParser
import ImageData
import Foundation
import Support

/// `imgclf im2rec`: MXNet's `tools/im2rec.py` with the same arguments. With `--list` it writes
/// `.lst` files from a folder of images; otherwise it packs every `<prefix>*.lst` into `.rec` + `.idx`.
struct Im2RecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "im2rec",
        abstract: "Make an image list, or pack a list into RecordIO (arguments as MXNet's im2rec.py).")

    @Argument(help: "Prefix of the input/output .lst and .rec files.") var prefix: String
    @Argument(help: "Folder holding the images.") var root: String

    // Options for creating image lists.
    @Flag(name: .customLong("list"), help: "Create <prefix>.lst by walking the root folder (otherwise pack <prefix>*.lst).") var list = false
    @Option(name: .customLong("exts"), parsing: .upToNextOption, help: "Accepted image extensions (case-insensitive).") var exts: [String] = ImageLister.defaultExtensions
    @Option(name: .customLong("chunks"), help: "Number of chunks.") var chunks = 1
    @Option(name: .customLong("train-ratio"), help: "Ratio of images for training.") var trainRatio = 1.0
    @Option(name: .customLong("test-ratio"), help: "Ratio of images for testing.") var testRatio = 0.0
    @Flag(name: .customLong("recursive"), help: "Walk subfolders; each folder is a class, numbered in sorted order.") var recursive = false
    @Flag(name: .customLong("no-shuffle"), help: "Keep the walk order instead of Python's random.seed(100) shuffle.") var noShuffle = false

    // Options for creating the database.
    @Flag(name: .customLong("pass-through"), help: "Store the image files unchanged.") var passThrough = false
    @Option(name: .customLong("resize"), help: "Resize the shorter side to this size (0: keep).") var resize = 0
    @Flag(name: .customLong("center-crop"), help: "Crop the centre square first.") var centerCrop = false
    @Option(name: .customLong("quality"), help: "JPEG quality 1-100, or PNG compression 0-9.") var quality = 95
    @Option(name: .customLong("num-thread"), help: "Images encoded at once (records stay in list order).") var numThread = 1
    @Option(name: .customLong("color"), parsing: .unconditional, help: "1: colour (alpha dropped), 0: gray, -1: as stored (gray stays gray, colour is RGB).") var color = 1
    @Option(name: .customLong("encoding"), help: ".jpg or .png") var encoding = Im2RecEncoding.jpg
    @Flag(name: .customLong("pack-label"), help: "Store every label column (multi-label records).") var packLabel = false
    @Option(name: .customLong("max-pixels"), help: "Largest image accepted, in pixels.") var maxPixels = 100_000_000

    func validate() throws {
        guard [-1, 0, 1].contains(color) else { throw ValidationError("--color must be -1, 0 or 1, got \(color)") }
        guard chunks >= 1 else { throw ValidationError("--chunks must be at least 1") }
        guard resize >= 0 else { throw ValidationError("--resize must be >= 0") }
        guard numThread >= 1 else { throw ValidationError("--num-thread must be at least 1") }
        guard chunks <= ImageList.maxChunks else {
            throw ValidationError("--chunks must be at most \(ImageList.maxChunks) (one list file per chunk), got \(chunks)")
        }
        // Decoded pixels take up to 4 bytes each: past 2^31 pixels no buffer could be allocated.
        guard maxPixels >= 1 && maxPixels <= 1 << 31 else {
            throw ValidationError("--max-pixels must be in [1, \(1 << 31)], got \(maxPixels)")
        }
    }

    func run() throws {
        ProcessNice.applyToCurrentThread()
        let prefixPath = URL(fileURLWithPath: prefix).standardizedFileURL.path
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        if list {
            var options = ListOptions()
            (options.recursive, options.extensions, options.shuffle) = (recursive, exts, !noShuffle)
            (options.trainRatio, options.testRatio, options.chunks) = (trainRatio, testRatio, chunks)
            let (_, classes) = try ImageList.make(prefix: prefixPath, root: rootURL, options: options)
            // im2rec.py prints the folder -> class mapping.
            for c in classes { print(c.folder, c.index) }
            return
        }
        var options = PackOptions()
        (options.passThrough, options.resize, options.centerCrop) = (passThrough, resize, centerCrop)
        (options.quality, options.encoding, options.color) = (quality, encoding.rawValue, color)
        (options.packLabel, options.threads, options.maxPixels) = (packLabel, numThread, maxPixels)
        var isDir: ObjCBool = false
        let prefixIsDir = FileManager.default.fileExists(atPath: prefixPath, isDirectory: &isDir) && isDir.boolValue
        let workingDir = prefixIsDir ? prefixPath : (prefixPath as NSString).deletingLastPathComponent
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workingDir)) ?? []
        let lists = names.map { workingDir + "/" + $0 }
            .filter { $0.hasPrefix(prefixPath) && $0.hasSuffix(".lst") }
            .sorted()
        guard !lists.isEmpty else { throw Im2RecError.noListFiles(prefix: prefixPath) }
        var failed = 0
        for path in lists {
            FileHandle.standardError.write(Data("Creating .rec file from \(path) in \(workingDir)\n".utf8))
            let summary = try Im2RecPacker.pack(list: URL(fileURLWithPath: path), root: rootURL, options: options) { message in
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            failed += summary.failures.count
            print("\(summary.recURL.path): \(summary.written) records" + (summary.failures.isEmpty ? "" : ", \(summary.failures.count) images skipped"))
        }
        // Like im2rec.py, skipped images do not fail the run; they were reported above.
        _ = failed
    }
}
