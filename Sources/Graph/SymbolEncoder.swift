import Support
import Foundation

/// Writes a `Symbol` in the exact layout MXNet's C++ JSON writer uses (dmlc::JSONWriter):
/// two-space indent, `", "` before each line break, maps and long integer lists one item
/// per line, short ones inline, map keys sorted. Byte-identical files make diffs against
/// MXNet's output meaningful.
enum SymbolEncoder {
    static func encode(_ s: Symbol) -> String {
        var w = Writer()
        w.beginObject(multiLine: true)
        w.key("nodes")
        w.beginArray(multiLine: true)
        for node in s.nodes {
            w.item()
            w.beginObject(multiLine: true)
            w.key("op"); w.string(node.op)
            w.key("name"); w.string(node.name)
            if !node.attrs.isEmpty {
                w.key("attrs")
                w.beginObject(multiLine: node.attrs.count > 1)
                for (k, v) in node.attrs.sorted(by: { precedesInByteOrder($0.key, $1.key) }) { w.key(k); w.string(v) }
                w.endObject()
            }
            w.key("inputs"); w.entries(node.inputs)
            w.endObject()
        }
        w.endArray()
        w.key("arg_nodes"); w.ints(s.argNodes)
        w.key("node_row_ptr"); w.ints(s.nodeRowPtr)
        w.key("heads"); w.entries(s.heads)
        w.key("attrs"); w.value(.object(s.attrs))
        w.endObject()
        return w.out
    }

    /// std::map orders keys by bytes.

    struct Writer {
        var out = ""
        private var scopes: [(multiLine: Bool, count: Int)] = []

        /// Separator and line break before the next element of the current scope.
        mutating func item() {
            guard !scopes.isEmpty else { return }
            if scopes[scopes.count - 1].count > 0 { out += ", " }
            if scopes[scopes.count - 1].multiLine { newline(depth: scopes.count) }
            scopes[scopes.count - 1].count += 1
        }
        mutating func newline(depth: Int) {
            out += "\n" + String(repeating: "  ", count: depth)
        }
        mutating func beginObject(multiLine: Bool) { out += "{"; scopes.append((multiLine, 0)) }
        mutating func endObject() { close("}") }
        mutating func beginArray(multiLine: Bool) { out += "["; scopes.append((multiLine, 0)) }
        mutating func endArray() { close("]") }
        private mutating func close(_ c: String) {
            let s = scopes.removeLast()
            if s.multiLine && s.count > 0 { newline(depth: scopes.count) }
            out += c
        }
        mutating func key(_ k: String) { item(); string(k); out += ": " }

        mutating func string(_ s: String) { out += jsonStringLiteral(s) }

        /// Integer lists: dmlc writes more than ten items one per line.
        mutating func ints(_ a: [Int]) {
            beginArray(multiLine: a.count > 10)
            for i in a { item(); out += String(i) }
            endArray()
        }

        mutating func entries(_ a: [NodeEntry]) {
            beginArray(multiLine: false)
            for e in a { item(); out += "[\(e.node), \(e.output), \(e.version)]" }
            endArray()
        }

        mutating func value(_ v: JSONValue) {
            switch v {
            case .null: out += "null"
            case let .bool(b): out += b ? "true" : "false"
            case let .int(i): out += String(i)
            case let .double(d): out += d.isFinite ? "\(d)" : "null"
            case let .string(s): string(s)
            case let .array(a):
                beginArray(multiLine: false)
                for x in a { item(); value(x) }
                endArray()
            case let .object(o):
                beginObject(multiLine: o.count > 1)
                for (k, v) in o.sorted(by: { precedesInByteOrder($0.key, $1.key) }) { key(k); value(v) }
                endObject()
            }
        }
    }
}
