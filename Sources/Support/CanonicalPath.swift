import Foundation

/// A path with every symbolic link resolved (realpath(3)), for checks that a file stays inside
/// a folder: nil when it does not exist.
public enum CanonicalPath {
    public static func of(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
