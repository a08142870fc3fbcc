import Foundation

/// The few protocol-buffer messages of TensorBoard's event files that scalars need, in the
/// wire format (tensorflow/core/util/event.proto, summary.proto):
/// `Event { double wall_time = 1; int64 step = 2; oneof { string file_version = 3; Summary summary = 5; } }`,
/// `Summary { repeated Value value = 1; }`, `Value { string tag = 1; float simple_value = 2; }`.
/// Three messages of scalar fields: a protobuf code generator would add a build-time tool for
/// less code than this.
enum EventEncoding {
    /// The first event of every file: which event format follows.
    static func fileVersion(wallTime: Double) -> [UInt8] {
        var event = header(wallTime: wallTime, step: 0)
        lengthDelimited(field: 3, Array("brain.Event:2".utf8), into: &event)
        return event
    }

    /// One event holding `scalars` (tag, value) at `step`.
    static func scalars(_ scalars: [(tag: String, value: Float)], step: Int64, wallTime: Double) -> [UInt8] {
        var summary: [UInt8] = []
        for (tag, value) in scalars {
            var entry: [UInt8] = []
            lengthDelimited(field: 1, Array(tag.utf8), into: &entry)
            entry.append(0x15) // field 2, fixed32
            withUnsafeBytes(of: value.bitPattern.littleEndian) { entry.append(contentsOf: $0) }
            lengthDelimited(field: 1, entry, into: &summary)
        }
        var event = header(wallTime: wallTime, step: step)
        lengthDelimited(field: 5, summary, into: &event)
        return event
    }

    private static func header(wallTime: Double, step: Int64) -> [UInt8] {
        var out: [UInt8] = [0x09] // field 1, fixed64
        withUnsafeBytes(of: wallTime.bitPattern.littleEndian) { out.append(contentsOf: $0) }
        out.append(0x10) // field 2, varint
        varint(UInt64(bitPattern: step), into: &out)
        return out
    }

    private static func lengthDelimited(field: UInt64, _ payload: [UInt8], into out: inout [UInt8]) {
        varint(field << 3 | 2, into: &out)
        varint(UInt64(payload.count), into: &out)
        out += payload
    }

    static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// TFRecord framing: length (u64 LE), its masked CRC-32C, the data, the data's masked CRC-32C.
    static func record(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 16)
        let length = UInt64(data.count).littleEndian
        withUnsafeBytes(of: length) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: CRC32C.masked(out).littleEndian) { out.append(contentsOf: $0) }
        out += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { out.append(contentsOf: $0) }
        return out
    }
}
