import Foundation
import ImageData
import Support

/// Why a batch transform could not start.
public enum TransformError: Error, CustomStringConvertible {
    case unreadableInput(path: String, reason: String)
    case badManifest(path: String, detail: String)
    case noImages(path: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadableInput(path, reason): return "\(path): cannot read the input: \(reason)"
        case let .badManifest(path, detail): return "\(path): not a manifest: \(detail)"
        case let .noImages(path): return "\(path): no input files"
        case let .cannotWrite(path, reason): return "\(path): cannot write: \(reason)"
        }
    }
}
