/// Walks a JPEG's marker segments to the frame header (SOF), which holds the image's size.
/// libjpeg-turbo reports a file cut before it only as a generic "premature end"; this says
/// what is missing, so a truncated upload or copy is recognised as one.
enum JPEGFrameSearch {
    /// Whether the data (starting FF D8) ends before an SOF segment is complete; false when
    /// an SOF is there or the segments are damaged some other way.
    static func endsBeforeFrame(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return false }
        var i = 2
        while true {
            // A marker: 0xFF (fill bytes allowed), then its code.
            guard i < bytes.count else { return true }
            guard bytes[i] == 0xFF else { return false }
            while i < bytes.count && bytes[i] == 0xFF { i += 1 }
            guard i < bytes.count else { return true }
            let code = bytes[i]
            i += 1
            // Standalone markers carry no length.
            if code == 0x01 || (0xD0...0xD7).contains(code) { continue }
            // Scan data or the end before a frame header: not a truncation, another fault.
            if code == 0xDA || code == 0xD9 || code == 0x00 { return false }
            guard i + 2 <= bytes.count else { return true }
            let length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            guard length >= 2 else { return false }
            let isFrame = (0xC0...0xCF).contains(code) && code != 0xC4 && code != 0xC8 && code != 0xCC
            // A frame header needs its precision, height, width and component count (6 bytes).
            if isFrame { return i + min(length, 8) > bytes.count }
            guard i + length <= bytes.count else { return true }
            i += length
        }
    }
}
