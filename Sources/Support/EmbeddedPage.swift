import Foundation

/// A self-contained page template with one token where its data's JSON goes, inside a
/// `<script type="application/json">` element.
public struct EmbeddedPage: Sendable {
    public let template: String
    public let token: String

    public init(template: [UInt8], token: String) {
        self.template = String(decoding: template, as: UTF8.self)
        self.token = token
    }

    /// The page with `json` in place of the token, made inert (``scriptSafe(_:)``), so no value,
    /// however named, can end the script element or change how the page parses.
    public func render(json: Data) -> String {
        template.replacingOccurrences(of: token, with: Self.scriptSafe(json))
    }

    /// `json` with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`, and U+2028/U+2029 as
    /// `\u2028`/`\u2029`: the same JSON (in valid JSON they occur only inside strings, where the
    /// escape means the same character), but no `</script`, `<!--` or `<script` is left for the
    /// HTML parser to act on (`<!--<script>` would swallow the rest of the page), and no line
    /// separator for a JavaScript parser older than ES2019.
    public static func scriptSafe(_ json: Data) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + 64)
        let bytes = [UInt8](json)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "<"): out += Array("\\u003c".utf8)
            case UInt8(ascii: ">"): out += Array("\\u003e".utf8)
            case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                out += Array((bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                i += 2
            default: out.append(b)
            }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
