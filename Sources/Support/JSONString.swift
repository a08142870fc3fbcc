import Foundation

/// `text` as a JSON string literal, quotes included: quote, backslash and control
/// characters escaped, everything else (non-ASCII too) written as it is.
public func jsonStringLiteral(_ text: String) -> String {
    var s = "\""
    for scalar in text.unicodeScalars {
        if scalar == "\"" {
            s += "\\\""
        } else if let escape = BackslashEscape.short(scalar) {
            s += escape
        } else if scalar.value < 0x20 {
            s += String(format: "\\u%04x", scalar.value)
        } else {
            s.unicodeScalars.append(scalar)
        }
    }
    return s + "\""
}
