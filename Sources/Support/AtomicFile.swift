import Foundation

/// Replacing a file so that, whatever moment the process dies, the final name holds either
/// the old complete file or the new complete one, never a partial file and never nothing:
/// the new bytes go to a temporary file in the same folder, are fsynced, and one rename(2)
/// puts them over the old file (the old one is never deleted first).
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public let file: String
        public let detail: String
        public var description: String { "\(file): cannot write: \(detail)" }
    }

    /// Writes `data` to `url` atomically.
    public static func write(_ data: Data, to url: URL) throws {
        try replace(url) { temporary in
            guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
                throw WriteError(file: url.path, detail: "cannot create \(temporary.lastPathComponent): \(lastError())")
            }
        }
    }

    /// Lets `produce` write the new content to a temporary path beside `url` (for writers
    /// that take a path, such as libarchive), then fsyncs it and renames it over `url`.
    public static func replace(_ url: URL, produce: (URL) throws -> Void) throws {
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw WriteError(file: url.path, detail: "the folder \(folder.path) does not exist")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try produce(temporary)
            try sync(temporary, for: url)
            guard rename(temporary.path, url.path) == 0 else {
                throw WriteError(file: url.path, detail: "cannot rename the temporary file into place: \(lastError())")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        // The rename itself reaches the disk only when the folder is synced; failing here
        // loses durability, not consistency, so it is not an error.
        try? sync(folder, for: url)
    }

    /// fsync(2) of a file or folder, so its content is on disk before it is renamed into place.
    static func sync(_ path: URL, for url: URL) throws {
        let fd = open(path.path, O_RDONLY)
        guard fd >= 0 else { throw WriteError(file: url.path, detail: "cannot open \(path.path) to sync it: \(lastError())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw WriteError(file: url.path, detail: "fsync of \(path.path) failed: \(lastError())") }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
