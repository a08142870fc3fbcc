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

    /// The page with `json` in place of the token. `</` is escaped as `<\/` (the same string
    /// to JSON), so no value, however named, can close the script element.
    public func render(json: Data) -> String {
        let safe = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "</", with: "<\\/")
        return template.replacingOccurrences(of: token, with: safe)
    }
}
