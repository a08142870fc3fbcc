import Foundation

/// An output written piece by piece (a JSON Lines file as images are classified), with
/// ``AtomicFile``'s rules: a regular file is written to a temporary file and renamed into
/// place by `commit`, so a failure (a full disk, a kill) leaves the old file whole and never a
/// half line; a FIFO or device gets each piece as it comes. Every write is a system call that
/// reports its error (Foundation's `FileHandle.write` traps on one).
public final class OutputFile {
    public let url: URL
    private var fd: Int32
    /// The temporary file renamed over `final` on commit; nil when writing through.
    private let temporary: URL?
    private let final: URL

    /// Opens `url` for writing (a FIFO's open waits for its reader, as a shell's `>` does).
    public init(_ url: URL) throws {
        self.url = url
        switch try AtomicFile.target(url) {
        case .replace(let file):
            let temporary = try AtomicFile.temporaryPath(beside: file, reportingAs: url)
            fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw AtomicFile.WriteError(file: url.path, detail: "cannot create \(temporary.path): \(SystemErrorText.current())") }
            self.temporary = temporary
            final = file
        case .writeThrough(let path):
            // Append: behind /dev/stdout may be the regular file a shell redirected to.
            fd = open(path.path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { throw AtomicFile.WriteError(file: url.path, detail: "cannot open for writing: \(SystemErrorText.current())") }
            temporary = nil
            final = path
        }
    }

    deinit { abandon() }

    /// Writes all of `data`, retrying short writes and interrupted calls.
    public func write(_ data: Data) throws {
        guard fd >= 0 else { throw AtomicFile.WriteError(file: url.path, detail: "the file is already closed") }
        try data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.WriteError(file: url.path, detail: SystemErrorText.current())
                }
                offset += n
            }
        }
    }

    /// Finishes the output: fsync and rename over the final name, or close the FIFO/device.
    public func commit() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        guard let temporary else {
            close(fd)
            return
        }
        let synced = fsync(fd) == 0
        let syncError = SystemErrorText.current()
        close(fd)
        guard synced else {
            unlink(temporary.path)
            throw AtomicFile.WriteError(file: url.path, detail: "fsync failed: \(syncError)")
        }
        guard rename(temporary.path, final.path) == 0 else {
            let detail = SystemErrorText.current()
            unlink(temporary.path)
            throw AtomicFile.WriteError(file: url.path, detail: "cannot rename the temporary file into place: \(detail)")
        }
        try? AtomicFile.sync(final.deletingLastPathComponent(), for: url)
    }

    /// Gives up: the temporary file is removed and the old file (if any) stays as it was.
    public func abandon() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        if let temporary { unlink(temporary.path) }
    }
}
