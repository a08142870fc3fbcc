#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Support

/// Buffered reading from a file descriptor, either positioned (`pread`, for seekable files) or
/// sequential (`read`, for pipes, FIFOs and standard input, which cannot seek).
struct ByteSource: Sendable {
    let fd: Int32
    let source: String
    let positioned: Bool
    /// Total bytes of the data when known (a regular file), so declared lengths can be checked
    /// against what is there before anything is allocated for them.
    let size: UInt64?
    /// Byte offset of the next unread byte in the data.
    private(set) var position: UInt64
    private var buffer: [UInt8]
    private var start = 0, end = 0
    private var eof = false

    init(fd: Int32, source: String, positioned: Bool, size: UInt64? = nil, position: UInt64 = 0, bufferSize: Int = 1 << 20) {
        self.fd = fd
        self.source = source
        self.positioned = positioned
        self.size = size
        self.position = position
        self.buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    /// Bytes left after `position`, when the size is known.
    var remaining: UInt64? { size.map { $0 > position ? $0 - position : 0 } }

    /// Reads up to `count` bytes, appending to `out`; fewer only at the end of the data.
    mutating func read(_ count: Int, into out: inout [UInt8]) throws(RecordIOError) -> Int {
        var remaining = count
        while remaining > 0 {
            if start == end {
                if eof { break }
                // Large reads bypass the buffer.
                if remaining >= buffer.count {
                    let got = try fill(direct: remaining, into: &out)
                    remaining -= got
                    if got == 0 { eof = true }
                    continue
                }
                try refill()
                if start == end { break }
            }
            let n = min(remaining, end - start)
            out.append(contentsOf: buffer[start..<(start + n)])
            start += n
            remaining -= n
            position += UInt64(n)
        }
        return count - remaining
    }

    /// Reads exactly 8 bytes (a part header) or fewer at the end; returns how many.
    mutating func readHeader(_ header: inout (UInt32, UInt32)) throws(RecordIOError) -> Int {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8)
        let got = try read(8, into: &bytes)
        if got == 8 {
            bytes.withUnsafeBytes { b in header = (RecordIO.readLE32(b, 0), RecordIO.readLE32(b, 4)) }
        }
        return got
    }

    private mutating func refill() throws(RecordIOError) {
        start = 0; end = 0
        let got = try sysRead(into: &buffer, at: 0, count: buffer.count, offset: position)
        if got == 0 { eof = true }
        end = got
    }

    /// Reads straight into `out`, one buffer-sized chunk at a time, so memory grows with the bytes
    /// that actually arrive, never with a length a damaged header declares.
    private mutating func fill(direct count: Int, into out: inout [UInt8]) throws(RecordIOError) -> Int {
        var total = 0
        while total < count {
            let chunk = min(count - total, max(buffer.count, 1))
            let base = out.count
            out.append(contentsOf: repeatElement(0, count: chunk))
            let got = try sysRead(into: &out, at: base, count: chunk, offset: position)
            out.removeLast(chunk - got)
            if got == 0 { break }
            total += got
            position += UInt64(got)
        }
        return total
    }

    /// One `read`/`pread` call, retried on EINTR; 0 at the end of the data.
    private func sysRead(into array: inout [UInt8], at index: Int, count: Int, offset: UInt64) throws(RecordIOError) -> Int {
        guard let fileOffset = off_t(exactly: offset) else {
            throw .io(source: source, message: "byte offset \(offset) is beyond the largest file offset (\(off_t.max))")
        }
        while true {
            let n = array.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return positioned ? pread(fd, base + index, count, fileOffset) : Glibc.read(fd, base + index, count)
            }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .io(source: source, message: "read failed at byte offset \(offset): \(SystemErrorText.current())")
        }
    }
}
