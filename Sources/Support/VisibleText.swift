/// Text from files and names shown in a message with its control characters made visible
/// (`\t`, `\n`, `\0`, `\u{1B}`): a name holding a line break or a terminal escape must not
/// forge log lines or hide what follows it.
public enum VisibleText {
    /// `text` with control characters escaped; past `limit` characters, cut with a count of
    /// the rest (a 10 MB value quoted whole would bury the message).
    public static func of(_ text: String, limit: Int = Int.max) -> String {
        var out = ""
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown == limit {
                return out + "... (\(text.unicodeScalars.count - shown) more characters)"
            }
            shown += 1
            if let escape = BackslashEscape.short(scalar) {
                out += escape
            } else if scalar == "\0" {
                out += "\\0"
            } else if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
