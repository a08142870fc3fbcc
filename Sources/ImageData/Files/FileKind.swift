import Foundation
import Support
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a path names, checked before a data file is opened: a FIFO would block the open (or
/// never end), and a device such as `/dev/zero` never ends, so both are refused by name.
public enum FileKind: Equatable, Sendable {
    case regular(size: UInt64)
    case directory
    case other(String)
    case missing

    /// The kind of `path`, following symbolic links.
    public static func of(_ path: String) -> FileKind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular(size: UInt64(max(st.st_size, 0)))
        case S_IFDIR: return .directory
        case S_IFIFO: return .other("a FIFO (named pipe)")
        case S_IFCHR: return .other("a character device")
        case S_IFBLK: return .other("a block device")
        case S_IFSOCK: return .other("a socket")
        default: return .other("not a regular file")
        }
    }

    /// nil for a regular file; else what `path` is instead of `expected` (for example "a .lst
    /// list file"), as a sentence to follow the path in a message.
    public static func problem(_ path: String, expected: String) -> String? {
        switch of(path) {
        case .regular: return nil
        case .directory: return "it is a directory, not a regular file; expected \(expected)"
        case .other(let what): return "it is \(what), not a regular file; expected \(expected)"
        case .missing: return "no such file; expected \(expected)"
        }
    }

    /// The whole text of a regular file, as UTF-8; an error names the file and what it is instead.
    public static func readText(_ url: URL, expected: String) throws(DatasetError) -> String {
        if let problem = problem(url.path, expected: expected) {
            throw .unreadable(path: url.path, reason: problem)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(path: url.path, reason: SystemErrorText.of(error))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: url.path, reason: "not UTF-8 text; expected \(expected)")
        }
        return text
    }
}
