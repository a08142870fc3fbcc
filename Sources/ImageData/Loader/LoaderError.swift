import Foundation

/// Why the loader stopped.
public enum LoaderError: Error, Sendable, CustomStringConvertible {
    /// Every image of the epoch failed to load or decode.
    case noDecodableImage(epoch: Int, skipped: Int, firstProblem: String)
    /// An image failed and skipping is off (validation, inference): which one and why.
    case badImage(String)
    /// The input stream broke (pipe mode).
    case stream(String)
    /// The configuration cannot work (batch size 0, rank outside 0..<workers, ...).
    case invalidConfig(String)

    public var description: String {
        switch self {
        case .noDecodableImage(let epoch, let skipped, let first):
            return "epoch \(epoch) has no decodable image: all \(skipped) images failed; the first: \(first)"
        case .badImage(let problem): return problem
        case .stream(let message): return "input stream: \(message)"
        case .invalidConfig(let message): return "loader: \(message)"
        }
    }
}
