import Foundation

/// The `.idx` file beside a `.rec`: one line per record, `key<TAB>byte offset of its first part`.
public enum RecordIOIndex {
    /// Parses an index; a malformed line is an error naming the file and line number.
    public static func read(contentsOf url: URL) throws -> [(key: Int, offset: UInt64)] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw RecordIOError.io(source: url.path, message: "cannot read the index: \(error.localizedDescription)")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: url.path)
    }

    /// Parses index text (as MXNet reads it: fields split at the tab, surrounding whitespace ignored).
    public static func parse(_ text: String, source: String) throws -> [(key: Int, offset: UInt64)] {
        var entries: [(key: Int, offset: UInt64)] = []
        for (n, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2,
                  let key = Int(fields[0].trimmingCharacters(in: .whitespaces)),
                  let offset = UInt64(fields[1].trimmingCharacters(in: .whitespaces)) else {
                throw RecordIOError.badIndexLine(source: source, line: n + 1, text: String(line.prefix(200)))
            }
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
            throw RecordIOError.io(source: url.path, message: "cannot write the index: \(error.localizedDescription)")
        }
    }
}
