/// The response body formats of `POST /invocations`, chosen by the `Accept` header as the
/// managed service does.
public enum ResponseFormat: String, Sendable, CaseIterable {
    /// `application/json` (the default): a JSON array of probabilities.
    case json = "application/json"
    /// `application/jsonlines`: one line `{"prediction": [p0, p1, ...]}`.
    case jsonLines = "application/jsonlines"

    /// The format an `Accept` header asks for; nil when it names none we produce.
    /// A missing header, `*/*` and `application/*` mean JSON.
    public static func negotiate(accept: String?) -> ResponseFormat? {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        var sawWildcard = false
        for item in accept.split(separator: ",") {
            let type = MediaTypes.essence(String(item))
            switch type {
            case "application/json": return .json
            case "application/jsonlines", "application/x-jsonlines", "application/jsonl": return .jsonLines
            case "*/*", "application/*": sawWildcard = true
            default: continue
            }
        }
        return sawWildcard ? .json : nil
    }

    /// The body for one image's probabilities.
    public func body(_ probabilities: [Float]) -> String {
        switch self {
        case .json: return JSONText.array(probabilities)
        case .jsonLines: return "{\"prediction\": \(JSONText.array(probabilities))}\n"
        }
    }
}

/// Content types that `POST /invocations` accepts.
public enum MediaTypes {
    public static let images: Set<String> = ["image/jpeg", "image/png", "application/x-image"]

    /// The type without parameters, lower-cased: `Image/JPEG; q=1` -> `image/jpeg`.
    public static func essence(_ value: String) -> String {
        let base = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return base.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// Small JSON writers for numbers and messages (exact shortest float text, no Foundation
/// encoder on the request path).
public enum JSONText {
    /// `[p0, p1, ...]` with each float's shortest round-trip text; non-finite values as null.
    public static func array(_ values: [Float]) -> String {
        var s = "["
        for (i, v) in values.enumerated() {
            if i > 0 { s += ", " }
            s += v.isFinite ? "\(v)" : "null"
        }
        return s + "]"
    }

    /// A JSON string literal.
    public static func string(_ text: String) -> String {
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

    /// `{"error": "..."}`.
    public static func error(_ message: String) -> String { "{\"error\": \(string(message))}" }
}

import Foundation
