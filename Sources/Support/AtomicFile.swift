import Foundation

/// Writing an output so that it never destroys what its path names. A regular file (or an
/// absent one) is replaced so that, whatever moment the process dies, the final name holds
/// either the old complete file or the new complete one, never a partial file and never
/// nothing: the new bytes go to a temporary file in the same folder, are fsynced, and one
/// rename(2) puts them over the old file (the old one is never deleted first). A symbolic link
/// is followed and its target replaced; a FIFO, a character device or `/dev/stdout` is written
/// through; a folder or anything else is refused by name (``OutputTarget``).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let file: String
        public let detail: String
        public init(file: String, detail: String) {
            self.file = file
            self.detail = detail
        }
        public var description: String { "\(file): cannot write: \(detail)" }
    }

    /// Writes `data` to `url`.
    public static func write(_ data: Data, to url: URL) throws {
        let output = try OutputFile(url)
        do {
            try output.write(data)
            try output.commit()
        } catch {
            output.abandon()
            throw error
        }
    }

    /// Lets `produce` write the new content to a temporary path (for writers that take a
    /// path, such as libarchive), then puts it in place: renamed over a regular file, or
    /// copied through a FIFO or device.
    public static func replace(_ url: URL, produce: (URL) throws -> Void) throws {
        switch try target(url) {
        case .replace(let file):
            let temporary = try temporaryPath(beside: file, reportingAs: url)
            do {
                try produce(temporary)
                try sync(temporary, for: url)
                guard rename(temporary.path, file.path) == 0 else {
                    throw WriteError(file: url.path, detail: "cannot rename the temporary file into place: \(SystemErrorText.current())")
                }
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                throw error
            }
            // The rename itself reaches the disk only when the folder is synced; failing here
            // loses durability, not consistency, so it is not an error.
            try? sync(file.deletingLastPathComponent(), for: url)
        case .writeThrough:
            let temporary = FileManager.default.temporaryDirectory
                .appendingPathComponent("imgclf-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(url.lastPathComponent)")
            defer { try? FileManager.default.removeItem(at: temporary) }
            try produce(temporary)
            let bytes: Data
            do { bytes = try Data(contentsOf: temporary) } catch {
                throw WriteError(file: url.path, detail: "cannot read back the temporary file \(temporary.path)")
            }
            try write(bytes, to: url)
        }
    }

    /// How `url` may be written, as a `WriteError` when it may not.
    static func target(_ url: URL) throws -> OutputTarget {
        do { return try OutputTarget.of(url) } catch { throw WriteError(file: url.path, detail: error.detail) }
    }

    /// A fresh temporary name in `file`'s folder (hidden, unique), checking the folder exists.
    static func temporaryPath(beside file: URL, reportingAs url: URL) throws -> URL {
        let folder = file.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw WriteError(file: url.path, detail: "the folder \(folder.path) does not exist")
        }
        return folder.appendingPathComponent(".\(file.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    }

    /// fsync(2) of a file or folder, so its content is on disk before it is renamed into place.
    static func sync(_ path: URL, for url: URL) throws {
        let fd = open(path.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw WriteError(file: url.path, detail: "cannot open \(path.path) to sync it: \(SystemErrorText.current())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw WriteError(file: url.path, detail: "fsync of \(path.path) failed: \(SystemErrorText.current())") }
    }
}
