import Foundation
import ImageData
#if canImport(Glibc)
import Glibc
import TestFixtures
#endif

/// Builds hostile inputs in a temporary folder that is removed afterwards.
enum HostileInput {
    /// Runs `body` with a fresh empty folder, then deletes the folder.
    static func inFolder<T>(_ body: (URL) throws -> T) throws -> T {
        let folder = TemporaryFolders.url("imgclf-hostile")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    static func write(_ bytes: [UInt8], to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// A `.rec` whose records carry these single labels (and a tiny JPEG each).
    static func recordFile(labels: [Float], at url: URL, index: URL? = nil) throws {
        let jpeg = try ImageEncoder.jpeg(Image(width: 4, height: 4, channels: 3, fill: 128), quality: 90)
        let writer = try RecordIOWriter(url: url, indexURL: index)
        for (i, label) in labels.enumerated() {
            try writer.write(ImageRecordHeader(label: label, id: UInt64(i)).pack(image: jpeg), key: i)
        }
        try writer.close()
    }

    /// Makes a FIFO (named pipe) at `url`.
    static func fifo(at url: URL) throws -> URL {
        guard mkfifo(url.path, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return url
    }

    /// Lines joined with "\r\n" (Windows line endings), and with "\n".
    static func crlf(_ lines: [String]) -> String { lines.map { $0 + "\r\n" }.joined() }
    static func lf(_ lines: [String]) -> String { lines.map { $0 + "\n" }.joined() }
}
