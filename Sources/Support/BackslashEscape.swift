/// The backslash escapes that JSON, Swift and C write alike (tab, line feed, carriage return,
/// backslash): one table for the JSON writer and for quoting names in messages.
enum BackslashEscape {
    static func short(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\t": "\\t"
        case "\n": "\\n"
        case "\r": "\\r"
        case "\\": "\\\\"
        default: nil
        }
    }
}
