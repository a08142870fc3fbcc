import Foundation
import Support

/// Writing and reading `.lst` files the way im2rec.py does (`write_list`, `read_list`).
/// (Strict validation of user-written lists for training lives in `LstFile`.)
public enum ImageList {
    /// `index<TAB>label<TAB>...<TAB>path` per line, labels as `%f` ("2.000000").
    public static func format(_ images: [ListedImage]) -> String {
        var text = ""
        for item in images {
            text += "\(item.index)\t"
            for label in item.labels { text += String(format: "%f", label) + "\t" }
            text += item.path + "\n"
        }
        return text
    }

    /// Parses a list leniently, as im2rec.py packs it: fields split at tabs and trimmed; a line with
    /// fewer than three fields or a non-numeric index/label is skipped and reported in `problems`.
    public static func parse(_ text: String, source: String) -> (items: [ListedImage], problems: [String]) {
        var items: [ListedImage] = []
        var problems: [String] = []
        for (n, raw) in TextLines.split(text).enumerated() {
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let fields = trimmed.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count >= 3 else {
                problems.append("\(source): line \(n + 1): expected at least 3 tab-separated fields (index, label, path), found \(fields.count); line skipped")
                continue
            }
            guard let index = Int(fields[0]) else {
                problems.append("\(source): line \(n + 1): expected an integer index, found \"\(fields[0])\"; line skipped")
                continue
            }
            var labels: [Double] = []
            for f in fields[1..<(fields.count - 1)] {
                // Python's float() reads no hex ("0x3"), which Swift's Double() would.
                guard !f.contains(where: { $0 == "x" || $0 == "X" }), let v = Double(f) else {
                    problems.append("\(source): line \(n + 1): expected a number as label, found \"\(f)\"; line skipped")
                    labels = []
                    break
                }
                labels.append(v)
            }
            if labels.count != fields.count - 2 { continue }
            items.append(ListedImage(index: index, path: fields[fields.count - 1], labels: labels))
        }
        return (items, problems)
    }
}

/// How to split and order a listing: im2rec.py's `--list` options.
public struct ListOptions: Sendable {
    public var recursive = false
    public var extensions = ImageLister.defaultExtensions
    public var trainRatio = 1.0
    public var testRatio = 0.0
    public var chunks = 1
    public var shuffle = true
    public init() {}
}

extension ImageList {
    /// The most list chunks `make` writes: each is a file, so the number is bounded.
    public static let maxChunks = 10_000

    /// im2rec.py's `make_list`: list the images under `root`, shuffle with Python's `random.seed(100)`,
    /// cut into `chunks`, split each into train/val/test, and write `<prefix>[_i][_train|_val|_test].lst`.
    /// Returns the files written and the folder -> class mapping.
    @discardableResult
    public static func make(prefix: String, root: URL, options: ListOptions) throws -> (files: [URL], classes: [(folder: String, index: Int)]) {
        guard options.chunks >= 1 else { throw Im2RecError.badArgument("--chunks must be at least 1, got \(options.chunks)") }
        guard options.trainRatio >= 0, options.testRatio >= 0, options.trainRatio + options.testRatio <= 1.0 else {
            throw Im2RecError.badArgument("--train-ratio and --test-ratio must be >= 0 with a sum <= 1, got \(options.trainRatio) and \(options.testRatio)")
        }
        var (images, classes) = try ImageLister.list(root: root, recursive: options.recursive, extensions: options.extensions)
        if options.shuffle {
            var random = PythonRandom(seed: 100)
            random.shuffle(&images)
        }
        guard options.chunks <= maxChunks else {
            throw Im2RecError.badArgument("--chunks must be at most \(maxChunks) (one list file is written per chunk), got \(options.chunks)")
        }
        let n = images.count
        let chunkSize = n / options.chunks + (n % options.chunks == 0 ? 0 : 1)
        var written: [URL] = []
        func write(_ name: String, _ slice: ArraySlice<ListedImage>) throws {
            let url = URL(fileURLWithPath: name)
            do { try Data(format(Array(slice)).utf8).write(to: url) } catch {
                throw Im2RecError.io("\(name): cannot write: \(SystemErrorText.of(error))")
            }
            written.append(url)
        }
        for i in 0..<options.chunks {
            let lo = min(i * chunkSize, n), hi = min((i + 1) * chunkSize, n)
            let chunk = images[lo..<hi]
            let suffix = options.chunks > 1 ? "_\(i)" : ""
            // Python: int(chunk_size * ratio), computed on the nominal chunk size.
            let sep = Int(Double(chunkSize) * options.trainRatio)
            let sepTest = Int(Double(chunkSize) * options.testRatio)
            func part(_ a: Int, _ b: Int?) -> ArraySlice<ListedImage> {
                let from = min(chunk.startIndex + a, chunk.endIndex)
                let to = b.map { min(chunk.startIndex + $0, chunk.endIndex) } ?? chunk.endIndex
                return chunk[from..<max(from, to)]
            }
            if options.trainRatio == 1.0 {
                try write(prefix + suffix + ".lst", chunk)
            } else {
                if options.testRatio != 0 { try write(prefix + suffix + "_test.lst", part(0, sepTest)) }
                if options.trainRatio + options.testRatio < 1.0 { try write(prefix + suffix + "_val.lst", part(sepTest + sep, nil)) }
                try write(prefix + suffix + "_train.lst", part(sepTest, sepTest + sep))
            }
        }
        return (written, classes)
    }
}
