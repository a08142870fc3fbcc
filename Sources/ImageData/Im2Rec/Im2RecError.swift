import Foundation
import Support

/// Errors while listing or packing images.
public enum Im2RecError: Error, CustomStringConvertible {
    case notADirectory(String)
    case noListFiles(prefix: String)
    case badArgument(String)
    case io(String)

    public var description: String {
        switch self {
        case .notADirectory(let p): return "\(p): not a directory (expected the folder holding the images)"
        case .noListFiles(let prefix): return "no .lst file found with prefix \(prefix) (make one with --list)"
        case .badArgument(let m): return m
        case .io(let m): return m
        }
    }
}
