/// The encoded image formats we read, recognised by their signature bytes (never by a file name).
public enum ImageFormat: Sendable, Equatable {
    case jpeg, png

    /// Identifies the format from the first bytes of the data; nil when it is neither JPEG nor PNG.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        // JPEG: SOI marker FF D8 followed by the first marker's FF.
        if bytes.count >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        // PNG: the 8-byte signature 89 'P' 'N' 'G' CR LF SUB LF.
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if bytes.count >= 8, png.indices.allSatisfy({ bytes[$0] == png[$0] }) { return .png }
        return nil
    }

    /// Convenience overload for arrays.
    public static func sniff(_ bytes: [UInt8]) -> ImageFormat? {
        bytes.withUnsafeBytes { sniff($0) }
    }
}
