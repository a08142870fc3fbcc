/// The header MXNet puts in front of the encoded image in each image record (`IRHeader`):
/// `u32 flag, f32 label, u64 id, u64 id2` (24 bytes, little-endian); when flag > 0, `flag` float32
/// labels follow (multi-label, and the header's label is 0), then the JPEG or PNG bytes.
public struct ImageRecordHeader: Sendable, Equatable {
    /// Number of float32 labels after the header; 0 for a single label.
    public var flag: UInt32
    /// The single label (when flag is 0).
    public var label: Float
    /// The labels of a multi-label record (flag > 0); empty otherwise.
    public var labels: [Float]
    /// The record's id (im2rec stores the `.lst` index here).
    public var id: UInt64
    public var id2: UInt64

    public static let size = 24

    public init(flag: UInt32 = 0, label: Float = 0, labels: [Float] = [], id: UInt64 = 0, id2: UInt64 = 0) {
        self.flag = flag; self.label = label; self.labels = labels; self.id = id; self.id2 = id2
    }

    /// A single-label header (as `IRHeader(0, label, id, id2)`).
    public init(label: Float, id: UInt64, id2: UInt64 = 0) {
        self.init(flag: 0, label: label, labels: [], id: id, id2: id2)
    }

    /// A multi-label header (as `IRHeader(0, [labels], id, id2)`, which `pack` turns into flag = count).
    public init(labels: [Float], id: UInt64, id2: UInt64 = 0) {
        self.init(flag: UInt32(labels.count), label: 0, labels: labels, id: id, id2: id2)
    }

    /// The labels this record carries: `labels` when multi-label, else `[label]`.
    public var allLabels: [Float] { flag > 0 ? labels : [label] }

    /// Splits an image record into its header and the byte offset where the encoded image starts.
    /// `source` (for example "train.rec record 12 at offset 3456") names the record in errors.
    public static func unpack(_ payload: [UInt8], source: String) throws -> (header: ImageRecordHeader, imageOffset: Int) {
        try payload.withUnsafeBytes { try unpack($0, source: source) }
    }

    /// Same, from raw memory.
    public static func unpack(_ b: UnsafeRawBufferPointer, source: String) throws -> (header: ImageRecordHeader, imageOffset: Int) {
        guard b.count >= size else {
            throw RecordIOError.badImageRecord(source: source, message: "image record of \(b.count) bytes: expected at least the 24-byte header (flag, label, id, id2)")
        }
        let flag = RecordIO.readLE32(b, 0)
        let label = Float(bitPattern: RecordIO.readLE32(b, 4))
        let id = UInt64(RecordIO.readLE32(b, 8)) | UInt64(RecordIO.readLE32(b, 12)) << 32
        let id2 = UInt64(RecordIO.readLE32(b, 16)) | UInt64(RecordIO.readLE32(b, 20)) << 32
        var labels: [Float] = []
        var imageOffset = size
        if flag > 0 {
            let needed = size + Int(flag) * 4
            guard b.count >= needed else {
                throw RecordIOError.badImageRecord(source: source, message: "image record of \(b.count) bytes declares flag = \(flag) labels: expected at least \(needed) bytes (header and labels)")
            }
            labels = (0..<Int(flag)).map { Float(bitPattern: RecordIO.readLE32(b, size + 4 * $0)) }
            imageOffset = needed
        }
        return (ImageRecordHeader(flag: flag, label: label, labels: labels, id: id, id2: id2), imageOffset)
    }

    /// The record payload: header, labels (if any), then `image`. As MXNet's `recordio.pack`, the flag
    /// written is the number of labels (0 for a single label).
    public func pack(image: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ImageRecordHeader.size + 4 * labels.count + image.count)
        RecordIO.appendLE(UInt32(labels.count), to: &out)
        RecordIO.appendLE(labels.isEmpty ? label.bitPattern : 0, to: &out)
        RecordIO.appendLE(UInt32(truncatingIfNeeded: id), to: &out)
        RecordIO.appendLE(UInt32(truncatingIfNeeded: id >> 32), to: &out)
        RecordIO.appendLE(UInt32(truncatingIfNeeded: id2), to: &out)
        RecordIO.appendLE(UInt32(truncatingIfNeeded: id2 >> 32), to: &out)
        for l in labels { RecordIO.appendLE(l.bitPattern, to: &out) }
        out.append(contentsOf: image)
        return out
    }
}
