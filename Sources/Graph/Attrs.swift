import Foundation

/// Typed readers over MXNet's string attributes. Each throws a `GraphError` naming the
/// node and the attribute when the value is missing (and no default is given) or cannot
/// be read as the requested type.
extension Node {
    private func raw(_ k: String) throws -> String? { attrs[k] }

    private func missing(_ k: String) -> GraphError { .missingAttr(node: name, op: op, attr: k) }
    private func bad(_ k: String, _ v: String, _ expected: String) -> GraphError {
        .badAttr(node: name, op: op, attr: k, value: v, expected: expected)
    }

    /// An integer such as `"64"`, within `range` when one is given.
    public func int(_ k: String, default def: Int? = nil, in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let v = attrs[k] else { if let def { return def }; throw missing(k) }
        guard let i = Int(v.trimmingCharacters(in: .whitespaces)) else {
            throw bad(k, v, range.map { "an integer in \($0.lowerBound)...\($0.upperBound)" } ?? "an integer")
        }
        if let range, !range.contains(i) { throw bad(k, v, "an integer in \(range.lowerBound)...\(range.upperBound)") }
        return i
    }

    /// A finite number such as `"2e-05"` or `"0.9"`, within `range` when one is given.
    /// NaN and infinities are refused: no attribute of a real model holds them.
    public func float(_ k: String, default def: Float? = nil, in range: ClosedRange<Float>? = nil) throws -> Float {
        guard let v = attrs[k] else { if let def { return def }; throw missing(k) }
        let expected = range.map { "a finite number in \($0.lowerBound)...\($0.upperBound)" } ?? "a finite number"
        guard let f = Float(v.trimmingCharacters(in: .whitespaces)), f.isFinite else { throw bad(k, v, expected) }
        if let range, !range.contains(f) { throw bad(k, v, expected) }
        return f
    }

    /// A boolean as MXNet writes it: `"True"`/`"False"` (any case), or `"1"`/`"0"`.
    public func bool(_ k: String, default def: Bool? = nil) throws -> Bool {
        guard let v = attrs[k] else { if let def { return def }; throw missing(k) }
        switch v.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1": return true
        case "false", "0": return false
        default: throw bad(k, v, "True, False, 1 or 0")
        }
    }

    /// A tuple such as `"(3, 3)"`, `"(1,)"`, `"[2, 2]"` or a bare `"3"`, each item
    /// within `range` when one is given.
    public func tuple(_ k: String, default def: [Int]? = nil, in range: ClosedRange<Int>? = nil) throws -> [Int] {
        let items = try parseTuple(k, default: def)
        if let range, !items.allSatisfy(range.contains) {
            throw bad(k, attrs[k] ?? "", "a tuple of integers each in \(range.lowerBound)...\(range.upperBound)")
        }
        return items
    }

    private func parseTuple(_ k: String, default def: [Int]?) throws -> [Int] {
        guard let v = attrs[k] else { if let def { return def }; throw missing(k) }
        var body = Substring(v.trimmingCharacters(in: .whitespaces))
        if let f = body.first, let l = body.last, (f == "(" && l == ")") || (f == "[" && l == "]") {
            body = body.dropFirst().dropLast()
        }
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // A trailing comma as in "(1,)" leaves one empty part at the end.
        let items = parts.last == "" ? Array(parts.dropLast()) : parts
        if items.count == 1 && items[0].isEmpty { return [] }
        var out: [Int] = []
        for item in items {
            // MXNet writes "None" for unset tuple entries.
            guard let i = Int(item) else { throw bad(k, v, "a tuple of integers such as (3, 3)") }
            out.append(i)
        }
        return out
    }

    /// A plain string attribute such as `act_type`.
    public func string(_ k: String, default def: String? = nil) throws -> String {
        guard let v = attrs[k] else { if let def { return def }; throw missing(k) }
        return v
    }
}
