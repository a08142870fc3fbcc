import CPNG
import CTurboJPEG
import Foundation

/// Why an image could not be encoded.
public enum ImageEncodeError: Error, CustomStringConvertible {
    case failed(String)
    public var description: String {
        switch self { case .failed(let message): return "image encoding failed: \(message)" }
    }
}
