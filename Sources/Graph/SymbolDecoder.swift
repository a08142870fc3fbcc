import Foundation

/// Turns a parsed JSON tree into a `Symbol`, checking every reference so that later
/// passes can index nodes without bounds checks failing.
struct SymbolDecoder {
    let file: String

    private func bad(_ detail: String) -> GraphError { .malformedSymbol(file: file, detail: detail) }

    func decode(_ root: JSONValue) throws -> Symbol {
        guard let top = root.objectValue else { throw bad("the top level is \(root.kindName), expected an object with \"nodes\" and \"heads\"") }
        guard let rawNodes = top["nodes"]?.arrayValue else { throw bad("missing \"nodes\" array") }
        var nodes: [Node] = []
        nodes.reserveCapacity(rawNodes.count)
        for (i, raw) in rawNodes.enumerated() {
            nodes.append(try node(raw, index: i))
        }
        guard let rawHeads = top["heads"]?.arrayValue else { throw bad("missing \"heads\" array") }
        let heads = try rawHeads.enumerated().map { try entry($0.element, at: "heads[\($0.offset)]", limit: nodes.count) }
        var symbol = Symbol(nodes: nodes, heads: heads, attrs: [:])
        if let a = top["arg_nodes"] {
            symbol.argNodes = try ints(a, key: "arg_nodes")
            if let badIndex = symbol.argNodes.first(where: { !nodes.indices.contains($0) }) {
                throw bad("\"arg_nodes\" refers to node \(badIndex), but there are only \(nodes.count) nodes")
            }
        }
        if let p = top["node_row_ptr"] {
            let ptr = try ints(p, key: "node_row_ptr")
            // Executors index outputs through this table; a wrong one must fail here, not there.
            guard ptr.count == nodes.count + 1, ptr.first == 0, zip(ptr, ptr.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw bad("\"node_row_ptr\" must hold \(nodes.count + 1) increasing numbers from 0 (one per node plus one), found \(ptr.count)")
            }
            symbol.nodeRowPtr = ptr
        }
        if let attrs = top["attrs"] {
            guard let o = attrs.objectValue else { throw bad("\"attrs\" is \(attrs.kindName), expected an object") }
            symbol.attrs = o
        }
        return symbol
    }

    private func ints(_ v: JSONValue, key: String) throws -> [Int] {
        guard let a = v.arrayValue else { throw bad("\"\(key)\" is \(v.kindName), expected an array of integers") }
        return try a.map {
            guard let i = $0.intValue else { throw bad("\"\(key)\" holds \($0.kindName), expected integers") }
            return i
        }
    }

    private func node(_ raw: JSONValue, index: Int) throws -> Node {
        guard let o = raw.objectValue else { throw bad("node \(index) is \(raw.kindName), expected an object") }
        guard let op = o["op"]?.stringValue else { throw bad("node \(index) has no \"op\" string") }
        guard let name = o["name"]?.stringValue else { throw bad("node \(index) (\(op)) has no \"name\" string") }
        var attrs: [String: String] = [:]
        // Files from MXNet before 1.0 call the attributes "param" or "attr".
        for key in ["param", "attr", "attrs"] {
            guard let a = o[key] else { continue }
            guard let dict = a.objectValue else { throw bad("node '\(name)': \"\(key)\" is \(a.kindName), expected an object of strings") }
            for (k, v) in dict {
                guard let s = v.stringValue else { throw bad("node '\(name)': attribute '\(k)' is \(v.kindName), expected a string") }
                attrs[k] = s
            }
        }
        guard let rawInputs = o["inputs"]?.arrayValue else { throw bad("node '\(name)' has no \"inputs\" array") }
        let inputs = try rawInputs.enumerated().map {
            try entry($0.element, at: "node '\(name)' input \($0.offset)", limit: index)
        }
        return Node(op: op, name: name, attrs: attrs, inputs: inputs)
    }

    /// `[node, output, version]` (or the older `[node, output]`); `limit` is the first
    /// node index that may not be referenced (inputs must come earlier in the list).
    private func entry(_ raw: JSONValue, at place: String, limit: Int) throws -> NodeEntry {
        guard let a = raw.arrayValue, (2...3).contains(a.count), let n = a[0].intValue, let out = a[1].intValue else {
            throw bad("\(place) is not a [node, output, version] triple")
        }
        let version = a.count == 3 ? a[2].intValue : 0
        guard let version else { throw bad("\(place): version is not an integer") }
        guard n >= 0, n < limit else {
            throw bad("\(place) refers to node \(n), but only nodes 0..<\(limit) may be referenced there (nodes must be in topological order)")
        }
        guard out >= 0 else { throw bad("\(place) has negative output index \(out)") }
        return NodeEntry(node: n, output: out, version: version)
    }
}
