import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Closes a file descriptor when the last reader sharing it goes away.
// Unchecked Sendable: the descriptor number never changes; pread(2) at explicit offsets is safe from several threads.
final class FileDescriptor: @unchecked Sendable {
    let fd: Int32
    init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// Reads a RecordIO file (`.rec`) written by MXNet or by `RecordIOWriter`: sequentially with `next()`,
/// or one record at a byte offset (from an `.idx`) with `read(at:)`.
public struct RecordIOReader: Sendable {
    /// The file's path, used in error messages.
    public let source: String
    private let file: FileDescriptor
    private var input: ByteSource

    public init(url: URL) throws {
        source = url.path
        // Only regular files: opening a FIFO would wait for a writer, and a device never ends.
        guard case .regular(let size) = FileKind.of(url.path) else {
            throw RecordIOError.io(source: url.path, message: FileKind.problem(url.path, expected: "a RecordIO .rec file") ?? "not a regular file")
        }
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RecordIOError.io(source: url.path, message: "cannot open for reading: \(SystemErrorText.current())")
        }
        file = FileDescriptor(fd: fd)
        self.size = size
        input = ByteSource(fd: fd, source: url.path, positioned: true, size: size)
    }

    /// The file's size in bytes when it was opened.
    public let size: UInt64

    /// The next record and the byte offset of its first part, or nil at the end of the file.
    public mutating func next() throws -> (offset: UInt64, payload: [UInt8])? {
        try RecordAssembler.next(from: &input)
    }

    /// Byte offset where `next()` will read.
    public var position: UInt64 { input.position }

    /// Moves the sequential position to a record's byte offset (as listed in an `.idx`).
    public mutating func seek(to offset: UInt64) {
        input = ByteSource(fd: file.fd, source: source, positioned: true, size: size, position: offset)
    }

    /// The first `count` payload bytes of the record at `offset`, read without the rest, when
    /// its first part holds them (nil otherwise: read the record whole). For label audits.
    public func prefix(at offset: UInt64, count: Int) -> [UInt8]? {
        guard count >= 0, count <= 1 << 20, offset <= UInt64(Int64.max) - 8 else { return nil }
        var bytes = [UInt8](repeating: 0, count: 8 + count)
        let got = bytes.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, $0.count, off_t(offset)) }
        guard got == bytes.count else { return nil }
        let (magic, lrec) = bytes.withUnsafeBytes { (RecordIO.readLE32($0, 0), RecordIO.readLE32($0, 4)) }
        let cflag = RecordIO.cflag(lrec), length = RecordIO.length(lrec)
        guard magic == RecordIO.magic, cflag == 0 || cflag == 1, length >= count else { return nil }
        return Array(bytes[8...])
    }

    /// The record whose first part starts at `offset`; does not move the sequential position.
    public func read(at offset: UInt64) throws -> [UInt8] {
        var local = ByteSource(fd: file.fd, source: source, positioned: true, size: size, position: offset, bufferSize: 64 << 10)
        guard let record = try RecordAssembler.next(from: &local) else {
            throw RecordIOError.truncatedHeader(source: source, offset: offset, got: 0)
        }
        return record.payload
    }
}
