import Foundation
import Support

/// Resolves relative paths inside a channel folder and refuses any that would leave it.
enum ChannelPath {
    /// The file `relative` names under `root`, or a message saying why it is not allowed.
    static func resolve(_ relative: String, under root: URL) -> Result<URL, InputProblem> {
        if relative.isEmpty { return .failure(.init(message: "empty path")) }
        if relative.unicodeScalars.first == "/" {
            return .failure(.init(message: "path '\(relative)' is absolute; paths must be relative to the channel folder"))
        }
        var depth = 0
        for part in ChannelPathComponents.of(relative) {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 {
                return .failure(.init(message: "path '\(relative)' escapes the channel folder \(root.path)"))
            }
        }
        return .success(root.appendingPathComponent(relative))
    }

    /// nil when `url` is a regular file (after links); else why it cannot be read as an image.
    static func imageFileProblem(_ url: URL) -> String? {
        switch FileKind.of(url.path) {
        case .regular: return nil
        case .missing: return "image file not found: \(url.path)"
        default: return "\(url.path): " + (FileKind.problem(url.path, expected: "an image file") ?? "not a regular file")
        }
    }
}
