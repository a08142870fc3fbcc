/// Reads a JPEG's EXIF orientation (TIFF tag 0x0112 in IFD0 of the APP1 "Exif" segment), as
/// OpenCV's `imdecode` does before MXNet sees the pixels.
///
/// The bytes are hostile: every read is bounds-checked and the walk only moves forward, so a
/// truncated segment, an offset past the end or a looping IFD chain ends the search with 1
/// (as stored) instead of trapping. A damaged EXIF block never makes a decodable photo fail.
enum ExifOrientation {
    /// 1...8 (1: as stored); 1 when there is no readable orientation.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let tiff = exifPayload(bytes) else { return 1 }
        return orientation(inTIFF: tiff) ?? 1
    }

    /// Whether the orientation turns the image a quarter turn (5...8): width and height swap.
    static func swapsSides(_ orientation: Int) -> Bool { (5...8).contains(orientation) }

    /// The TIFF block after "Exif\0\0" in the first APP1 segment before the scan, if any.
    private static func exifPayload(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let n = bytes.count
        guard n >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var pos = 2
        while pos + 4 <= n {
            guard bytes[pos] == 0xFF else { return nil }
            let marker = bytes[pos + 1]
            if marker == 0xFF { pos += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { return nil }  // scan or end: metadata comes before
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { pos += 2; continue }  // no length
            let length = Int(bytes[pos + 2]) << 8 | Int(bytes[pos + 3])
            guard length >= 2 else { return nil }
            let start = pos + 4, end = pos + 2 + length
            guard end <= n else { return nil }
            if marker == 0xE1, end - start >= 6,
               bytes[start] == 0x45, bytes[start + 1] == 0x78, bytes[start + 2] == 0x69,  // "Exi"
               bytes[start + 3] == 0x66, bytes[start + 4] == 0, bytes[start + 5] == 0 {  // "f\0\0"
                return UnsafeRawBufferPointer(rebasing: bytes[(start + 6)..<end])
            }
            pos = end  // at least 4 bytes further: the walk ends
        }
        return nil
    }

    /// Tag 0x0112 of IFD0 in a TIFF block, either byte order; nil when absent or unreadable.
    private static func orientation(inTIFF tiff: UnsafeRawBufferPointer) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true   // "II"
        case (0x4D, 0x4D): little = false  // "MM"
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at <= tiff.count - 2 else { return nil }
            let a = Int(tiff[at]), b = Int(tiff[at + 1])
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let first = u16(at), let second = u16(at + 2) else { return nil }
            return little ? first | second << 16 : first << 16 | second
        }
        guard u16(2) == 42, let ifd = u32(4), let entries = u16(ifd) else { return nil }
        // Only IFD0 is read (the orientation lives there), so no chain of offsets can loop.
        for i in 0..<entries {
            let entry = ifd + 2 + 12 * i
            guard let tag = u16(entry), let type = u16(entry + 2) else { return nil }
            guard tag == 0x0112 else { continue }
            guard type == 3, let value = u16(entry + 8), (1...8).contains(value) else { return nil }  // SHORT
            return value
        }
        return nil
    }
}
