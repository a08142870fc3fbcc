import Data

/// Why one image could not be classified. Each is an answer for that image alone (HTTP 400,
/// an error line in batch transform), never a reason to stop serving.
public enum ImageInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No bytes at all.
    case empty
    /// The bytes are not a JPEG or PNG image.
    case unknownFormat
    /// The header declares more pixels than the server accepts (checked before decoding).
    case tooLarge(width: Int, height: Int, limit: Int)
    /// The codec rejected the data: damaged or truncated.
    case corrupt(String)
    /// The image was fine but the model could not classify it (a graph that fails at this
    /// batch size, NaN weights): the server's fault, answered with HTTP 500.
    case modelFailed(String)

    init(_ error: ImageDecodeError) {
        switch error {
        case .empty: self = .empty
        case .unknownFormat: self = .unknownFormat
        case let .tooLarge(width, height, limit): self = .tooLarge(width: width, height: height, limit: limit)
        case let .corrupt(message): self = .corrupt(message)
        }
    }

    public var description: String {
        switch self {
        case .empty: return "empty image: 0 bytes"
        case .unknownFormat: return "not a JPEG or PNG image (expected FF D8 FF or 89 50 4E 47 0D 0A 1A 0A at the start)"
        case let .tooLarge(width, height, limit):
            return "image too large: \(width)x\(height) = \(width * height) pixels, the limit is \(limit) pixels"
        case let .corrupt(message): return "corrupt or truncated image: \(message)"
        case let .modelFailed(message): return "the model failed: \(message)"
        }
    }
}
