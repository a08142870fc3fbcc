import Foundation
import ServiceLifecycle

/// Why a queued request got no probabilities.
public enum BatcherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The image itself was bad (answer 400).
    case badImage(ImageInputError)
    /// More requests are waiting than `maxQueue` (answer 503).
    case overloaded(queued: Int)
    /// The server is shutting down and takes no new work (answer 503).
    case shuttingDown
    /// The request waited longer than the timeout for a batch (answer 503).
    case timedOut(seconds: Double)

    public var description: String {
        switch self {
        case .badImage(let e): return e.description
        case .overloaded(let queued): return "server busy: \(queued) requests are already waiting; retry later"
        case .shuttingDown: return "server is shutting down"
        case .timedOut(let seconds): return "no batch had room for this request within the model server timeout (\(String(format: "%g", seconds)) s); retry later"
        }
    }
}
