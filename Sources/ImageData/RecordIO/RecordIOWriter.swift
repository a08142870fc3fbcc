import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Writes a RecordIO file byte for byte as MXNet's `MXIndexedRecordIO.write_idx` does, and
/// optionally its `.idx` (`key<TAB>offset` per record).
///
/// A class that owns its descriptor: a writer dropped without `close()` (a throw on the way)
/// still flushes what it was given, writes the `.idx` of those records and closes the file.
public final class RecordIOWriter {
    public let source: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var offset: UInt64 = 0
    private var count = 0
    private var index: [(key: Int, offset: UInt64)] = []
    private let indexURL: URL?
    private var closed = false

    /// Creates (or truncates) the file; `indexURL` also writes an index when the writer is closed.
    public init(url: URL, indexURL: URL? = nil) throws {
        source = url.path
        fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RecordIOError.io(source: url.path, message: "cannot open for writing: \(SystemErrorText.current())")
        }
        self.indexURL = indexURL
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        if !closed { try? close() }
    }

    /// Appends one record; `key` is its index key (default: the record's ordinal, from 0).
    public func write(_ payload: [UInt8], key: Int? = nil) throws {
        guard payload.count < RecordIO.maxLength else {
            throw RecordIOError.recordTooLarge(source: source, size: payload.count)
        }
        let before = buffer.count
        RecordIO.encode(payload, into: &buffer)
        index.append((key ?? count, offset))
        offset += UInt64(buffer.count - before)
        count += 1
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Byte offset where the next record will start.
    public var position: UInt64 { offset }

    /// Flushes, closes the file and writes the index. Further writes are an error.
    public func close() throws {
        guard !closed else { return }
        closed = true
        try flush()
        Glibc.close(fd)
        if let indexURL { try RecordIOIndex.write(index, to: indexURL) }
    }

    private func flush() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RecordIOError.io(source: source, message: "write failed: \(SystemErrorText.current())")
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
