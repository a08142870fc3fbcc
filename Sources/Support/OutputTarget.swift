import Foundation

/// What an output path names, and so how it may be written: a regular file (or nothing) is
/// replaced atomically; a FIFO, a character device or a `/dev/stdout`-style descriptor path is
/// written through, as a shell's `>` would; anything else (a folder, a socket, a block device)
/// is refused by name rather than destroyed.
public enum OutputTarget: Equatable, Sendable {
    /// Replace this path (the final target of any symbolic links) with one rename.
    case replace(URL)
    /// Open this path for writing and write the bytes through it.
    case writeThrough(URL)

    public struct Refused: Error, CustomStringConvertible {
        public let path: String
        public let detail: String
        public var description: String { "\(path): \(detail)" }
    }

    /// Classifies `url` for writing (symbolic links followed; a dangling one names the file
    /// to create). Throws when the path names something an output must not replace.
    public static func of(_ url: URL) throws(Refused) -> OutputTarget {
        let path = url.path
        // Descriptor paths (/dev/stdout, /dev/fd/N, /proc/self/fd/N) name what the process
        // already has open: write through them, never replace what they point at.
        if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw Refused(path: path, detail: "does not exist (\(SystemErrorText.current())); no file is made under /dev or /proc")
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: throw Refused(path: path, detail: "is a folder; give a file name")
            case S_IFBLK: throw Refused(path: path, detail: "is a block device; expected a regular file, a FIFO or a character device")
            case S_IFSOCK: throw Refused(path: path, detail: "is a socket; expected a regular file, a FIFO or a character device")
            default: return .writeThrough(url)
            }
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ELOOP { throw Refused(path: path, detail: "its symbolic links form a loop") }
            // Absent, or a symbolic link to nothing: the file its last link names is created.
            return .replace(URL(fileURLWithPath: resolvingLinks(path)))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .replace(URL(fileURLWithPath: resolvingLinks(path)))
        case S_IFIFO, S_IFCHR: return .writeThrough(url)
        case S_IFDIR: throw Refused(path: path, detail: "is a folder; give a file name")
        case S_IFSOCK: throw Refused(path: path, detail: "is a socket; expected a regular file, a FIFO or a character device")
        case S_IFBLK: throw Refused(path: path, detail: "is a block device; expected a regular file, a FIFO or a character device")
        default: throw Refused(path: path, detail: "is not a regular file, a FIFO or a character device")
        }
    }

    /// The path a chain of symbolic links ends at (at most 40 links, as the kernel allows),
    /// relative links taken from their own folder. A path that is no link is returned as is.
    static func resolvingLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = destination.hasPrefix("/") ? destination
                : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
        }
        return current
    }
}
