import Foundation

/// `text` as a JSON string literal, quotes included: quote, backslash and control
/// characters escaped, everything else (non-ASCII too) written as it is.
public func jsonStringLiteral(_ text: String) -> String {
    var s = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": s += "\\\""
        case "\\": s += "\\\\"
        case "\n": s += "\\n"
        case "\r": s += "\\r"
        case "\t": s += "\\t"
        case _ where scalar.value < 0x20: s += String(format: "\\u%04x", scalar.value)
        default: s.unicodeScalars.append(scalar)
        }
    }
    return s + "\""
}
