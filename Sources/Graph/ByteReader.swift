import Foundation

/// Reads little-endian integers from a byte buffer, throwing `GraphError.truncated`
/// (with the file name and the caller's location) instead of reading past the end.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset = 0
    /// Where we are, for error messages ("array 3 of 12: shape").
    var location = "header"

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - offset }

    mutating func need(_ n: Int) throws {
        guard n >= 0, n <= remaining else {
            throw GraphError.truncated(file: file, location: location, needed: n, available: remaining)
        }
    }

    private mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws -> T {
        try need(MemoryLayout<T>.size)
        var v: T = 0
        for i in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i) }
        offset += MemoryLayout<T>.size
        return v
    }

    mutating func u32() throws -> UInt32 { try fixed(UInt32.self) }
    mutating func i32() throws -> Int32 { try fixed(Int32.self) }
    mutating func u64() throws -> UInt64 { try fixed(UInt64.self) }
    mutating func i64() throws -> Int64 { try fixed(Int64.self) }

    mutating func take(_ n: Int) throws -> [UInt8] {
        try need(n)
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }
}

/// Appends little-endian integers to a byte buffer.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func put<T: FixedWidthInteger>(_ v: T) {
        for i in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }
}
