/// The RecordIO framing shared by readers and writers (dmlc-core's format, as MXNet writes it).
///
/// Each part: `u32 magic`, `u32 lrec` (cflag in the top 3 bits, length in the low 29), the bytes,
/// zero padding to a multiple of 4. A payload holding the magic word at a 4-aligned offset is split
/// there (the magic word dropped) into parts with cflag 1 (first), 2 (middle), 3 (last); readers put
/// the magic word back between parts.
public enum RecordIO {
    /// 0xCED7230A, stored little-endian as 0A 23 D7 CE.
    public static let magic: UInt32 = 0xCED7230A
    /// Largest payload length a part can declare, plus one.
    public static let maxLength = 1 << 29

    @inline(__always) static func lrec(cflag: UInt32, length: Int) -> UInt32 { (cflag << 29) | UInt32(length) }
    @inline(__always) static func cflag(_ lrec: UInt32) -> UInt32 { lrec >> 29 }
    @inline(__always) static func length(_ lrec: UInt32) -> Int { Int(lrec & ((1 << 29) - 1)) }
    @inline(__always) static func padded(_ length: Int) -> Int { (length + 3) & ~3 }

    /// The framed bytes of one record, exactly as MXNet's `MXRecordIO.write` lays them out.
    public static func encode(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 16)
        encode(payload, into: &out)
        return out
    }

    /// Appends the framed bytes of one record to `out`.
    static func encode(_ payload: [UInt8], into out: inout [UInt8]) {
        let len = payload.count
        let lowerAlign = len & ~3
        var start = 0
        func part(_ cflag: UInt32, _ from: Int, _ to: Int) {
            appendLE(magic, to: &out)
            appendLE(lrec(cflag: cflag, length: to - from), to: &out)
            out.append(contentsOf: payload[from..<to])
        }
        var i = 0
        while i < lowerAlign {
            if payload[i] == 0x0A && payload[i + 1] == 0x23 && payload[i + 2] == 0xD7 && payload[i + 3] == 0xCE {
                part(start == 0 ? 1 : 2, start, i)
                start = i + 4
            }
            i += 4
        }
        part(start != 0 ? 3 : 0, start, len)
        let pad = padded(len) - len
        if pad > 0 { out.append(contentsOf: repeatElement(0, count: pad)) }
    }

    @inline(__always) static func appendLE(_ v: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF))
        out.append(UInt8((v >> 16) & 0xFF)); out.append(UInt8(v >> 24))
    }

    @inline(__always) static func readLE32(_ b: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}
