import Foundation
import Graph

/// Why a network cannot be built for the requested settings.
public enum ModelsError: Error, CustomStringConvertible, Equatable, Sendable {
    case invalidNumLayers(numLayers: Int, height: Int, valid: String)
    case invalidImageShape(shape: [Int], reason: String)
    case invalidNumClasses(Int)

    public var description: String {
        switch self {
        case let .invalidNumLayers(n, h, valid):
            return "num_layers \(n) is not available for image height \(h); valid values: \(valid)"
        case let .invalidImageShape(shape, reason):
            return "image_shape \(shape.map(String.init).joined(separator: ",")) is invalid: \(reason)"
        case let .invalidNumClasses(n):
            return "num_classes must be at least 1, got \(n)"
        }
    }
}
