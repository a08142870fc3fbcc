import Foundation
import Synchronization

/// A `.rec` file (MXNet RecordIO of image records) with random access: offsets come from the
/// `.idx` beside it when there is one, else from one sequential scan.
public final class RecordFileSource: SampleSource, Sendable {
    public let url: URL
    /// Byte offset of each record's first part, in file order.
    public let offsets: [UInt64]
    public let labels: LabelSpec
    // Readers are not shared between threads: each load borrows one from this pool.
    private let pool = Mutex<[RecordIOReader]>([])

    /// Opens `url`; uses `index` (or `url` with `.idx`) when it exists.
    public init(url: URL, index: URL? = nil, labels: LabelSpec) throws(DatasetError) {
        self.url = url
        self.labels = labels
        let idx = index ?? url.deletingPathExtension().appendingPathExtension("idx")
        var offsets: [UInt64] = []
        do {
            var reader = try RecordIOReader(url: url)
            if FileManager.default.fileExists(atPath: idx.path) {
                // The index may list keys in any order; read records in file order.
                offsets = try RecordIOIndex.read(contentsOf: idx, recordFileSize: reader.size).map(\.offset).sorted()
            } else {
                while let record = try reader.next() { offsets.append(record.offset) }
            }
        } catch {
            throw .unreadable(path: url.path, reason: "\(error)")
        }
        if offsets.isEmpty { throw .empty(channel: url.path, detail: "the RecordIO file holds no records") }
        self.offsets = offsets
    }

    public var count: Int { offsets.count }

    public func reference(at index: Int) -> String {
        "\(url.lastPathComponent) record \(index) (offset \(offsets[index]))"
    }

    public func load(at index: Int) throws -> RawSample {
        let reference = reference(at: index)
        let reader = try borrowReader()
        defer { returnReader(reader) }
        do {
            let payload = try reader.read(at: offsets[index])
            let (header, imageOffset) = try ImageRecordHeader.unpack(payload, source: reference)
            let values = header.allLabels
            let labels = try check(values, reference: reference)
            return RawSample(labels: labels, bytes: payload, imageOffset: imageOffset, reference: reference)
        } catch let e as DatasetError {
            throw e
        } catch {
            throw DatasetError.badSample(reference: reference, reason: "\(error)")
        }
    }

    /// Record `index`'s labels from its header alone (the image is not read), checked.
    public func labels(at index: Int) throws -> [Float] {
        let reference = reference(at: index)
        let reader = try borrowReader()
        defer { returnReader(reader) }
        let head = ImageRecordHeader.size
        guard let fixed = reader.prefix(at: offsets[index], count: head) else { return try load(at: index).labels }
        let flag = fixed.withUnsafeBytes { RecordIO.readLE32($0, 0) }
        guard flag > 0 else {
            return try check([fixed.withUnsafeBytes { Float(bitPattern: RecordIO.readLE32($0, 4)) }], reference: reference)
        }
        guard flag <= 1 << 16, let withLabels = reader.prefix(at: offsets[index], count: head + Int(flag) * 4) else {
            return try load(at: index).labels
        }
        let values = withLabels.withUnsafeBytes { b in (0..<Int(flag)).map { Float(bitPattern: RecordIO.readLE32(b, head + 4 * $0)) } }
        return try check(values, reference: reference)
    }

    private func check(_ values: [Float], reference: String) throws -> [Float] {
        if let problem = LabelCheck.recordProblem(values, spec: labels) {
            throw DatasetError.badLabel(reference: reference, reason: problem)
        }
        return values
    }

    private func borrowReader() throws -> RecordIOReader {
        if let r = pool.withLock({ $0.popLast() }) { return r }
        do { return try RecordIOReader(url: url) } catch {
            throw DatasetError.unreadable(path: url.path, reason: "\(error)")
        }
    }

    private func returnReader(_ reader: RecordIOReader) {
        pool.withLock { $0.append(reader) }
    }
}
