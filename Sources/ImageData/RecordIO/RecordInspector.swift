import Foundation

/// One JSON line per record of a `.rec`, for `imgclf inspect`: where it is, its image-record header,
/// and what its image is.
public enum RecordInspector {
    /// Describes every record; `emit` receives one JSON object per line. Keys come from the `.idx`
    /// beside the file when there is one (matched by offset), else the record's ordinal.
    /// Stops at the first framing error (thrown, naming file and offset); a record whose header or
    /// image is bad gets an `error` field instead.
    public static func inspect(rec url: URL, index indexURL: URL? = nil, emit: (String) -> Void) throws {
        var keys: [UInt64: Int] = [:]
        let idx = indexURL ?? url.deletingPathExtension().appendingPathExtension("idx")
        var reader = try RecordIOReader(url: url)
        if FileManager.default.fileExists(atPath: idx.path) {
            for entry in try RecordIOIndex.read(contentsOf: idx, recordFileSize: reader.size) { keys[entry.offset] = entry.key }
        }
        var ordinal = 0
        while let (offset, payload) = try reader.next() {
            emit(line(payload, key: keys[offset] ?? ordinal, offset: offset,
                      source: "\(url.path): record \(ordinal) at byte offset \(offset)"))
            ordinal += 1
        }
    }

    /// The JSON line for one record payload.
    public static func line(_ payload: [UInt8], key: Int, offset: UInt64, source: String) -> String {
        var fields: [(String, String)] = [("key", "\(key)"), ("offset", "\(offset)")]
        do {
            let (header, imageOffset) = try ImageRecordHeader.unpack(payload, source: source)
            fields.append(("flag", "\(header.flag)"))
            fields.append(("label", header.flag > 0 ? "[" + header.labels.map(number).joined(separator: ", ") + "]" : number(header.label)))
            fields.append(("id", "\(header.id)"))
            fields.append(("id2", "\(header.id2)"))
            let image = payload[imageOffset...]
            fields.append(("payload_len", "\(image.count)"))
            fields.append(("payload_sha256", "\"\(SHA256.hex(image))\""))
            let info = Array(image).withUnsafeBytes { raw in Result { try ImageDecoder.header(raw) } }
            switch info {
            case .success(let h):
                fields.append(("format", h.format == .jpeg ? "\"jpeg\"" : "\"png\""))
                fields.append(("width", "\(h.width)"))
                fields.append(("height", "\(h.height)"))
                fields.append(("channels", "\(h.channels)"))
            case .failure(let error):
                fields.append(("image_error", jsonString("\(error)")))
            }
        } catch {
            fields.append(("payload_len", "\(payload.count)"))
            fields.append(("payload_sha256", "\"\(SHA256.hex(payload))\""))
            fields.append(("error", jsonString("\(error)")))
        }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// A float as JSON: integers keep one decimal ("2.0", as Python prints), others their shortest form.
    static func number(_ v: Float) -> String {
        if v.isNaN || v.isInfinite { return "null" }
        return v == v.rounded() && abs(v) < 1e15 ? String(format: "%.1f", Double(v)) : "\(v)"
    }

    /// A JSON string literal (Foundation's escaping).
    static func jsonString(_ s: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: s, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }
}
