import Support
/// The response body formats of `POST /invocations`, chosen by the `Accept` header as the
/// managed service does.
public enum ResponseFormat: String, Sendable, CaseIterable {
    /// `application/json` (the default): a JSON array of probabilities.
    case json = "application/json"
    /// `application/jsonlines`: one line `{"prediction": [p0, p1, ...]}`.
    case jsonLines = "application/jsonlines"

    /// The format an `Accept` header asks for; nil when it names none we produce.
    /// A missing header, `*/*` and `application/*` mean `preferred`: JSON for real-time
    /// requests, JSON Lines in a batch transform job (the service's answer there, which the
    /// example notebooks read with `json.load(f)["prediction"]`). Quality values count: each
    /// format takes the q of the most specific range that names it, `q=0` means "not
    /// acceptable", and the highest q wins (on a tie, the one named first; `preferred` for wildcards).
    public static func negotiate(accept: String?, preferring preferred: ResponseFormat = .json) -> ResponseFormat? {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return preferred }
        // Per format: (specificity of the range that set it, its q).
        var best: [ResponseFormat: (specificity: Int, q: Double, position: Int)] = [:]
        for (position, item) in accept.split(separator: ",").enumerated() {
            let type = MediaTypes.essence(String(item))
            let q = quality(String(item))
            let matches: [(ResponseFormat, Int)]
            switch type {
            case "application/json": matches = [(.json, 2)]
            case "application/jsonlines", "application/x-jsonlines", "application/jsonl": matches = [(.jsonLines, 2)]
            case "application/*": matches = [(.json, 1), (.jsonLines, 1)]
            case "*/*": matches = [(.json, 0), (.jsonLines, 0)]
            default: matches = []
            }
            for (format, specificity) in matches where specificity >= (best[format]?.specificity ?? -1) {
                best[format] = (specificity, q, position)
            }
        }
        let json = best[.json] ?? (0, 0, 0), lines = best[.jsonLines] ?? (0, 0, 0)
        if json.q <= 0 && lines.q <= 0 { return nil }
        if lines.q != json.q { return lines.q > json.q ? .jsonLines : .json }
        if lines.position == json.position { return preferred }
        return lines.position < json.position ? .jsonLines : .json
    }

    /// The `q` parameter of one media range (1 when absent or unreadable, clamped to 0...1).
    static func quality(_ range: String) -> Double {
        for parameter in range.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "q" {
                guard let q = Double(pair[1]), q.isFinite else { return 1 }
                return min(1, max(0, q))
            }
        }
        return 1
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
            s += number(v)
        }
        return s + "]"
    }

    /// One float's shortest round-trip text; a non-finite value (no JSON number) as null.
    public static func number(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }

    /// A JSON string literal.
    public static func string(_ text: String) -> String { jsonStringLiteral(text) }

    /// `{"error": "..."}`.
    public static func error(_ message: String) -> String { "{\"error\": \(string(message))}" }
}

import Foundation
