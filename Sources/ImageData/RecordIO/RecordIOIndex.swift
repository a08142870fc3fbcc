import Foundation
import Support

/// The `.idx` file beside a `.rec`: one line per record, `key<TAB>byte offset of its first part`.
public enum RecordIOIndex {
    /// Parses an index; a malformed line is an error naming the file and line number.
    /// - Parameter recordFileSize: the `.rec`'s size, when known: every offset must point inside it.
    public static func read(contentsOf url: URL, recordFileSize: UInt64? = nil) throws -> [(key: Int, offset: UInt64)] {
        if let problem = FileKind.problem(url.path, expected: "a RecordIO .idx index file") {
            throw RecordIOError.io(source: url.path, message: problem)
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RecordIOError.io(source: url.path, message: "cannot read the index: \(SystemErrorText.of(error))")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: url.path, recordFileSize: recordFileSize)
    }

    /// Parses index text (as MXNet reads it: fields split at the tab, surrounding whitespace ignored).
    /// A key or offset listed twice is an error naming both lines: it would read a record twice, or
    /// make the key ambiguous.
    public static func parse(_ text: String, source: String, recordFileSize: UInt64? = nil) throws -> [(key: Int, offset: UInt64)] {
        var entries: [(key: Int, offset: UInt64)] = []
        var lineOfKey: [Int: Int] = [:], lineOfOffset: [UInt64: Int] = [:]
        for (n, rawLine) in TextLines.split(text).enumerated() {
            let lineNumber = n + 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2, let key = Int(fields[0]) else {
                throw RecordIOError.badIndexLine(source: source, line: lineNumber, text: String(line.prefix(200)))
            }
            guard let offset = UInt64(fields[1]) else {
                throw RecordIOError.badIndexEntry(source: source, line: lineNumber,
                                                  message: "offset '\(fields[1].prefix(40))' is not a byte offset (expected a whole number in [0, \(UInt64.max)])")
            }
            if let size = recordFileSize, size < 8 || offset > size - 8 {
                throw RecordIOError.badIndexEntry(source: source, line: lineNumber,
                                                  message: "offset \(offset) is past the end of the record file (\(size) bytes): expected an offset in [0, \(max(Int64(size) - 8, 0))] where an 8-byte record header fits")
            }
            if let first = lineOfKey[key] {
                throw RecordIOError.badIndexEntry(source: source, line: lineNumber, message: "key \(key) is listed twice (lines \(first) and \(lineNumber))")
            }
            if let first = lineOfOffset[offset] {
                throw RecordIOError.badIndexEntry(source: source, line: lineNumber,
                                                  message: "offset \(offset) is listed twice (lines \(first) and \(lineNumber)): the same record would be read twice")
            }
            lineOfKey[key] = lineNumber
            lineOfOffset[offset] = lineNumber
            entries.append((key, offset))
        }
        return entries
    }

    /// The index text, `"%d\t%d\n"` per entry as MXNet writes it.
    public static func format(_ entries: [(key: Int, offset: UInt64)]) -> String {
        var text = ""
        for e in entries { text += "\(e.key)\t\(e.offset)\n" }
        return text
    }

    /// Writes an index file.
    public static func write(_ entries: [(key: Int, offset: UInt64)], to url: URL) throws {
        do { try Data(format(entries).utf8).write(to: url) } catch {
            throw RecordIOError.io(source: url.path, message: "cannot write the index: \(SystemErrorText.of(error))")
        }
    }
}
