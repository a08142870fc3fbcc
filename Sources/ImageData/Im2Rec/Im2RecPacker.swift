import Foundation
import Support
import Synchronization

/// How to turn listed images into records: im2rec.py's packing options.
public struct PackOptions: Sendable {
    /// Store the file bytes unchanged (no decode, no re-encode).
    public var passThrough = false
    /// Shorter side after resizing (0: keep the size).
    public var resize = 0
    /// Crop the centre square before resizing.
    public var centerCrop = false
    /// JPEG quality 1...100, or PNG compression 0...9 with `.png`.
    public var quality = 95
    /// ".jpg" or ".png".
    public var encoding = ".jpg"
    /// Store every label column (multi-label, flag = count) instead of only the first.
    public var packLabel = false
    /// 1: colour (alpha dropped), 0: gray, -1: as the file is (gray stays gray, colour is RGB).
    public var color = 1
    /// Images decoded and encoded at once; records are still written in list order.
    public var threads = 1
    /// Largest image accepted, in pixels.
    public var maxPixels = 100_000_000
    public init() {}
}

/// What a packing run did.
public struct PackSummary: Sendable {
    public var recURL: URL
    public var idxURL: URL
    public var written: Int
    /// One message per image that could not be packed (file, list line, reason).
    public var failures: [String]
}

/// im2rec.py's packing: each list item becomes an image record (`IRHeader(0, label, index, 0)` + image)
/// written with its list index as the `.idx` key, in list order.
public enum Im2RecPacker {
    /// Packs `<list>.lst` into `<list>.rec` and `<list>.idx` beside it; image paths are relative to `root`.
    public static func pack(list listURL: URL, root: URL, options: PackOptions, log: (String) -> Void = { _ in }) throws -> PackSummary {
        let text: String
        do { text = try String(contentsOf: listURL, encoding: .utf8) } catch {
            throw Im2RecError.io("\(listURL.path): cannot read the list: \(SystemErrorText.of(error))")
        }
        let (items, problems) = ImageList.parse(text, source: listURL.path)
        problems.forEach(log)
        guard options.encoding == ".jpg" || options.encoding == ".png" else {
            throw Im2RecError.badArgument("--encoding must be .jpg or .png, got \(options.encoding)")
        }
        let base = listURL.deletingPathExtension()
        let recURL = base.appendingPathExtension("rec"), idxURL = base.appendingPathExtension("idx")
        // The pair is packed under temporary names and renamed into place at the end, so an
        // interrupted run leaves the previous pair (or none), never a partial one.
        let staging = StagedPair(rec: recURL, idx: idxURL)
        defer { staging.discard() }
        let writer = try RecordIOWriter(url: staging.temporaryRec, indexURL: staging.temporaryIdx)
        // Closed before the temporary files are discarded: a writer dropped later would write its index back.
        defer { try? writer.close() }
        var failures: [String] = []
        var written = 0
        // More threads than cores only queue up; the cap also keeps the batch size from overflowing.
        let threads = min(max(1, options.threads), 256)
        let batch = threads == 1 ? 1 : threads * 16
        var start = 0
        while start < items.count {
            let slice = Array(items[start..<min(start + batch, items.count)])
            let results = encodeAll(slice, root: root, options: options, threads: threads)
            for (item, result) in zip(slice, results) {
                switch result {
                case .success(let payload):
                    try writer.write(payload, key: item.index)
                    written += 1
                case .failure(let failure):
                    let line = "\(listURL.lastPathComponent): index \(item.index): \(failure.message); image skipped"
                    failures.append(line)
                    log(line)
                }
            }
            start += slice.count
            if written > 0 && written % 1000 < slice.count { log("count: \(written)") }
        }
        try writer.close()
        try staging.commit()
        return PackSummary(recURL: recURL, idxURL: idxURL, written: written, failures: failures)
    }

    /// Why one image could not be packed; the message names the file.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private static func encodeAll(_ items: [ListedImage], root: URL, options: PackOptions, threads: Int) -> [Result<[UInt8], Failure>] {
        if threads == 1 || items.count == 1 { return items.map { encode($0, root: root, options: options) } }
        let results = Mutex([Result<[UInt8], Failure>?](repeating: nil, count: items.count))
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            let result = encode(items[i], root: root, options: options)
            results.withLock { $0[i] = result }
        }
        // concurrentPerform returns after every iteration, so every slot is filled.
        return results.withLock { $0.map { $0 ?? .failure(Failure(message: "an image was not encoded")) } }
    }

    /// One item to one record payload (im2rec.py's `image_encode`).
    static func encode(_ item: ListedImage, root: URL, options: PackOptions) -> Result<[UInt8], Failure> {
        let path = item.path.hasPrefix("/") ? item.path : root.path + "/" + item.path
        guard item.index >= 0 else { return .failure(Failure(message: "\(path): negative index \(item.index) cannot be a record id")) }
        guard !item.labels.isEmpty else { return .failure(Failure(message: "\(path): no label")) }
        let header = item.labels.count > 1 && options.packLabel
            ? ImageRecordHeader(labels: item.labels.map(Float.init), id: UInt64(item.index))
            : ImageRecordHeader(label: Float(item.labels[0]), id: UInt64(item.index))
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            return .failure(Failure(message: "\(path): cannot read: \(SystemErrorText.of(error))"))
        }
        if options.passThrough { return .success(header.pack(image: bytes)) }
        do {
            var channels = options.color == 0 ? 1 : 3
            if options.color == -1, try ImageDecoder.header(bytes).channels <= 2 { channels = 1 }
            // No side limit here (--max-pixels bounds it): im2rec exists to shrink large photos;
            // the records it writes meet the limit again when they are read.
            var image = try ImageDecoder.decode(bytes, options: DecodeOptions(channels: channels, maxPixels: options.maxPixels, maxSide: .max))
            if options.centerCrop { image = centerSquare(image) }
            if options.resize > 0 {
                let (w, h) = try resizedSize(image, shorterSide: options.resize, maxPixels: options.maxPixels)
                image = Resize.bilinear(image, width: w, height: h)
            }
            let encoded = options.encoding == ".png"
                ? try ImageEncoder.png(image, compression: min(max(options.quality, 0), 9))
                : try ImageEncoder.jpeg(image, quality: options.quality)
            return .success(header.pack(image: encoded))
        } catch {
            return .failure(Failure(message: "\(path): \(error)"))
        }
    }

    /// The size with the shorter side at `shorterSide` and the aspect ratio kept (as im2rec.py), or
    /// an error when it would exceed `maxPixels` or overflow.
    static func resizedSize(_ image: Image, shorterSide: Int, maxPixels: Int) throws -> (width: Int, height: Int) {
        let long = max(image.width, image.height), short = max(min(image.width, image.height), 1)
        let (product, overflow) = long.multipliedReportingOverflow(by: shorterSide)
        let longSide = max(product / short, 1)
        let (pixels, overflow2) = longSide.multipliedReportingOverflow(by: shorterSide)
        guard !overflow, !overflow2, pixels <= maxPixels else {
            throw Failure(message: "--resize \(shorterSide) would make this \(image.width)x\(image.height) image larger than --max-pixels \(maxPixels)")
        }
        return image.height > image.width ? (shorterSide, longSide) : (longSide, shorterSide)
    }

    /// The centre square, as im2rec.py's `--center-crop` (margin rounded down).
    static func centerSquare(_ image: Image) -> Image {
        let side = min(image.width, image.height)
        if image.width == image.height { return image }
        let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
        var pixels = [UInt8]()
        pixels.reserveCapacity(side * side * image.channels)
        for y in y0..<(y0 + side) {
            let row = (y * image.width + x0) * image.channels
            pixels.append(contentsOf: image.pixels[row..<(row + side * image.channels)])
        }
        return Image(width: side, height: side, channels: image.channels, pixels: pixels)
    }
}
