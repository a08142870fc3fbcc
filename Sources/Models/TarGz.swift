import CArchive
import Foundation

/// Reading and writing gzip'd tar archives (`model.tar.gz`) through libarchive.
public enum TarGz {
    /// libarchive's AE_IFREG (a cast macro Swift does not import).
    static let regularFile: UInt32 = 0o100000

    public struct ArchiveError: Error, CustomStringConvertible {
        public let file: String
        public let detail: String
        public var description: String { "\(file): \(detail)" }
    }

    /// Every regular file in the archive, by path (leading "./" removed). Entries larger
    /// than `maxEntryBytes` are refused rather than read into memory.
    public static func read(contentsOf url: URL, maxEntryBytes: Int = 4 << 30) throws -> [String: Data] {
        guard let a = archive_read_new() else { throw ArchiveError(file: url.path, detail: "libarchive could not start") }
        defer { archive_read_free(a) }
        archive_read_support_filter_all(a)
        archive_read_support_format_all(a)
        guard archive_read_open_filename(a, url.path, 1 << 16) == ARCHIVE_OK else {
            throw ArchiveError(file: url.path, detail: "not a readable tar.gz archive: \(message(a))")
        }
        var files: [String: Data] = [:]
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(a, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw ArchiveError(file: url.path, detail: "corrupt archive: \(message(a))")
            }
            guard archive_entry_filetype(entry) == regularFile else { continue }
            var name = String(cString: archive_entry_pathname(entry))
            while name.hasPrefix("./") { name.removeFirst(2) }
            let size = Int(archive_entry_size(entry))
            guard size <= maxEntryBytes else {
                throw ArchiveError(file: url.path, detail: "entry \(name) is \(size) bytes, more than the \(maxEntryBytes)-byte limit")
            }
            var data = Data(count: size)
            var offset = 0
            try data.withUnsafeMutableBytes { buf in
                while offset < size {
                    let n = archive_read_data(a, buf.baseAddress! + offset, size - offset)
                    if n < 0 { throw ArchiveError(file: url.path, detail: "entry \(name) is truncated: \(message(a))") }
                    if n == 0 { break }
                    offset += n
                }
            }
            guard offset == size else {
                throw ArchiveError(file: url.path, detail: "entry \(name) is truncated: \(offset) of \(size) bytes")
            }
            files[name] = data
        }
        return files
    }

    /// Writes the given files (name → path on disk) into a new archive, atomically
    /// (``AtomicFile``: the old archive stays in place until the new one is complete).
    public static func write(_ files: [(name: String, path: URL)], to url: URL) throws {
        try AtomicFile.replace(url) { temporary in try writeArchive(files, at: temporary, reportingAs: url) }
    }

    private static func writeArchive(_ files: [(name: String, path: URL)], at temporary: URL, reportingAs url: URL) throws {
        guard let a = archive_write_new() else { throw ArchiveError(file: url.path, detail: "libarchive could not start") }
        defer { archive_write_free(a) }
        archive_write_add_filter_gzip(a)
        archive_write_set_format_pax_restricted(a)
        guard archive_write_open_filename(a, temporary.path) == ARCHIVE_OK else {
            throw ArchiveError(file: url.path, detail: "cannot create: \(message(a))")
        }
        for (name, path) in files {
            let data = try Data(contentsOf: path)
            guard let entry = archive_entry_new() else { continue }
            defer { archive_entry_free(entry) }
            archive_entry_set_pathname(entry, name)
            archive_entry_set_size(entry, la_int64_t(data.count))
            archive_entry_set_filetype(entry, regularFile)
            archive_entry_set_perm(entry, 0o644)
            archive_entry_set_mtime(entry, time(nil), 0)
            guard archive_write_header(a, entry) == ARCHIVE_OK else {
                throw ArchiveError(file: url.path, detail: "cannot add \(name): \(message(a))")
            }
            let written = data.withUnsafeBytes { archive_write_data(a, $0.baseAddress, data.count) }
            guard written == data.count else {
                throw ArchiveError(file: url.path, detail: "cannot write \(name): \(message(a))")
            }
        }
        guard archive_write_close(a) == ARCHIVE_OK else {
            throw ArchiveError(file: url.path, detail: "cannot finish: \(message(a))")
        }
    }

    private static func message(_ a: OpaquePointer) -> String {
        archive_error_string(a).map { String(cString: $0) } ?? "unknown error"
    }
}
