import Foundation
import Support

/// Reads an image file for `predict` and batch transform, with messages that name the file:
/// missing, not a regular file (a FIFO or a device such as /dev/zero would block or never
/// end), empty, or larger than the cap.
public enum ImageFile {
    /// Largest image file read (bytes); an image past it cannot be decoded within `maxPixels` anyway.
    public static let defaultMaxBytes = 256 << 20

    /// The file's bytes, or a message naming the file and what is wrong with it.
    public static func read(_ path: String, maxBytes: Int = defaultMaxBytes) -> Result<[UInt8], FileProblem> {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return .failure(FileProblem(path: path, detail: errno == ENOENT ? "no such file" : "cannot read it: \(SystemErrorText.current())"))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .failure(FileProblem(path: path, detail: "not a regular file (it is \(kind(info.st_mode))); expected a JPEG or PNG file"))
        }
        guard info.st_size > 0 else { return .failure(FileProblem(path: path, detail: "the file is empty (0 bytes)")) }
        guard info.st_size <= maxBytes else {
            return .failure(FileProblem(path: path, detail: "the file has \(info.st_size) bytes; the limit is \(maxBytes)"))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(FileProblem(path: path, detail: "cannot open it: \(SystemErrorText.current())"))
        }
        defer { try? handle.close() }
        do {
            // One byte past the cap: a file that grew since stat is refused, not read whole.
            let data = try handle.read(upToCount: maxBytes + 1) ?? Data()
            if data.isEmpty { return .failure(FileProblem(path: path, detail: "the file is empty (0 bytes)")) }
            if data.count > maxBytes { return .failure(FileProblem(path: path, detail: "the file has more than \(maxBytes) bytes")) }
            return .success([UInt8](data))
        } catch {
            return .failure(FileProblem(path: path, detail: "cannot read it: \(SystemErrorText.of(error))"))
        }
    }

    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }

    /// The device and inode of the file at `path` (following symbolic links), nil when it does not exist.
    public static func identity(_ path: String) -> FileIdentity? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }
}

/// One file's device and inode: the same file under any name, link or symbolic link.
public struct FileIdentity: Hashable, Sendable {
    public var device: UInt64
    public var inode: UInt64
}
