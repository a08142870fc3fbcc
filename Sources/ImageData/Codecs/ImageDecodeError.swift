/// Why an encoded image could not be decoded. The caller adds where the bytes came from
/// (file, record index, offset); these say what was wrong with the bytes themselves.
public enum ImageDecodeError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The bytes start with neither the JPEG nor the PNG signature.
    case unknownFormat
    /// The codec rejected the data (damaged, truncated, unsupported); the codec's message.
    case corrupt(String)
    /// The header declares more pixels than allowed.
    case tooLarge(width: Int, height: Int, limit: Int)
    /// A side of the (upright) image is longer than allowed.
    case sideTooLong(width: Int, height: Int, limit: Int)
    /// No bytes at all.
    case empty

    public var description: String {
        switch self {
        case .unknownFormat:
            return "not a JPEG or PNG image (expected the bytes FF D8 FF or 89 50 4E 47 0D 0A 1A 0A at the start)"
        case .corrupt(let message):
            return "corrupt or truncated image: \(message)"
        case .tooLarge(let width, let height, let limit):
            let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
            return "image too large: \(width)x\(height) = \(overflow ? "more than \(Int.max)" : "\(pixels)") pixels, the limit is \(limit)"
        case .sideTooLong(let width, let height, let limit):
            let side = width > limit ? "its width \(width)" : "its height \(height)"
            return "image too large: \(width)x\(height), \(side) is over the limit of \(limit) pixels per side"
        case .empty:
            return "empty image (0 bytes)"
        }
    }
}
