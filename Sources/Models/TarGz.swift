import Support
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

    /// What one read may cost. An archive is small on disk but its members can expand
    /// without bound (a gzip bomb), so every member and the sum of them are capped, and
    /// bytes are counted as they are decompressed, never taken from the tar header alone.
    public struct Limits: Sendable {
        /// Largest `.params` member (a ResNet-152's weights are about 240 MB).
        public var paramsMemberBytes: Int
        /// Largest other member (symbol JSON, class names, hyperparameters, history).
        public var otherMemberBytes: Int
        /// Largest sum of the members read.
        public var totalBytes: Int

        public init(paramsMemberBytes: Int = 2 << 30, otherMemberBytes: Int = 64 << 20, totalBytes: Int = 4 << 30) {
            self.paramsMemberBytes = paramsMemberBytes
            self.otherMemberBytes = otherMemberBytes
            self.totalBytes = totalBytes
        }

        func memberCap(_ name: String) -> Int { name.hasSuffix(".params") ? paramsMemberBytes : otherMemberBytes }
    }

    /// The members a model artifact is made of (`*-symbol.json`, `*.params`,
    /// `model-shapes.json`, `classes.json`, ...): the same files the folder loader reads.
    public static func isArtifactMember(_ path: String) -> Bool {
        path.hasSuffix(".json") || path.hasSuffix(".params")
    }

    /// The regular files of the archive that `wanted` selects, by path (leading "./"
    /// removed). Other members are skipped without being decompressed into memory.
    /// Members with an absolute path or a `..` component are refused.
    public static func read(contentsOf url: URL, limits: Limits = Limits(),
                            wanted: (String) -> Bool = isArtifactMember) throws -> [String: Data] {
        func fail(_ detail: String) -> ArchiveError { ArchiveError(file: url.path, detail: detail) }
        guard let a = archive_read_new() else { throw fail("libarchive could not start") }
        defer { archive_read_free(a) }
        archive_read_support_filter_all(a)
        archive_read_support_format_all(a)
        guard archive_read_open_filename(a, url.path, 1 << 16) == ARCHIVE_OK else {
            throw fail("not a readable tar.gz archive: \(message(a))")
        }
        var files: [String: Data] = [:]
        var total = 0
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(a, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw fail("corrupt archive: \(message(a))")
            }
            guard archive_entry_filetype(entry) == regularFile, let rawName = archive_entry_pathname(entry) else { continue }
            var name = String(cString: rawName)
            while name.hasPrefix("./") { name.removeFirst(2) }
            guard wanted(name) else { continue }
            guard name.unicodeScalars.first != "/", !ChannelPathComponents.of(name).contains("..") else {
                throw fail("member '\(name)' has an absolute path or a '..' component; model archives hold relative paths only")
            }
            let cap = min(limits.memberCap(name), limits.totalBytes - total)
            let declared = archive_entry_size_is_set(entry) != 0 ? Int(archive_entry_size(entry)) : 0
            guard declared >= 0 else { throw fail("member '\(name)' declares a negative size") }
            guard declared <= cap else {
                throw capError(url, name, bytes: declared, limits: limits, total: total)
            }
            let data = try readMember(a, cap: cap, corrupt: { fail("member '\(name)' is truncated or corrupt: \(message(a))") },
                                      tooLarge: { capError(url, name, bytes: $0, limits: limits, total: total) })
            guard data.count == declared || archive_entry_size_is_set(entry) == 0 else {
                throw fail("member '\(name)' is truncated: \(data.count) of \(declared) bytes")
            }
            total += data.count
            files[name] = data
        }
        return files
    }

    /// Decompresses the current member in chunks, failing as soon as it passes `cap`.
    private static func readMember(_ a: OpaquePointer, cap: Int, corrupt: () -> ArchiveError,
                                   tooLarge: (Int) -> ArchiveError) throws -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { archive_read_data(a, $0.baseAddress, $0.count) }
            if n < 0 { throw corrupt() }
            if n == 0 { return data }
            guard data.count + n <= cap else { throw tooLarge(data.count + n) }
            data.append(contentsOf: chunk[0..<n])
        }
    }

    private static func capError(_ url: URL, _ name: String, bytes: Int, limits: Limits, total: Int) -> ArchiveError {
        let memberCap = limits.memberCap(name)
        let detail = bytes > memberCap
            ? "member '\(name)' holds at least \(bytes) bytes, more than the \(memberCap)-byte limit for such a member"
            : "member '\(name)' (at least \(bytes) bytes) takes the archive past the \(limits.totalBytes)-byte limit on all members read (\(total) bytes before it)"
        return ArchiveError(file: url.path, detail: detail)
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
