import ImageData

/// Why one image could not be classified. Each is an answer for that image alone (HTTP 400,
/// an error line in batch transform), never a reason to stop serving.
public enum ImageInputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not an image the server can read: empty, another format, too large,
    /// damaged (the decoder's own reason).
    case image(ImageDecodeError)
    /// The image was fine but the model could not classify it (a graph that fails at this
    /// batch size, NaN weights): the server's fault, answered with HTTP 500.
    case modelFailed(String)

    init(_ error: ImageDecodeError) { self = .image(error) }

    public var description: String {
        switch self {
        case let .image(error): return error.description
        case let .modelFailed(message): return "the model failed: \(message)"
        }
    }
}
