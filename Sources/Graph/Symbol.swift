import Support
import Foundation

/// One output of one node: MXNet's `[node, output, version]` triple.
public struct NodeEntry: Hashable, Sendable {
    /// Index of the node in `Symbol.nodes`.
    public var node: Int
    /// Which of that node's outputs.
    public var output: Int
    /// MXNet's variable version: 1 for inputs a node mutates (BatchNorm's moving stats), else 0.
    public var version: Int

    public init(node: Int, output: Int = 0, version: Int = 0) {
        self.node = node
        self.output = output
        self.version = version
    }
}

/// One node of a graph: an operator (or a variable when `op == "null"`), its unique name,
/// its attributes as MXNet stores them (strings such as `"(3, 3)"` or `"True"`), and the
/// outputs of earlier nodes that feed it.
public struct Node: Sendable, Equatable {
    public var op: String
    public var name: String
    public var attrs: [String: String]
    public var inputs: [NodeEntry]

    public init(op: String, name: String, attrs: [String: String] = [:], inputs: [NodeEntry] = []) {
        self.op = op
        self.name = name
        self.attrs = attrs
        self.inputs = inputs
    }

    /// True for variables (arguments and auxiliary states), which MXNet marks with op "null".
    public var isVariable: Bool { op == "null" }
}

/// A network as MXNet's symbol JSON describes it: nodes in topological order, the
/// outputs that form the result (`heads`), and the index tables MXNet stores beside them.
/// It round-trips MXNet's `*-symbol.json` files.
public struct Symbol: Sendable, Equatable {
    /// All nodes; every input refers to an earlier node.
    public var nodes: [Node]
    /// The graph's outputs.
    public var heads: [NodeEntry]
    /// Indices of variable nodes, as stored in the file (MXNet derives these; we keep them as read).
    public var argNodes: [Int]
    /// `nodeRowPtr[i]` is the index of node i's first output among all node outputs; one extra entry at the end.
    public var nodeRowPtr: [Int]
    /// Graph attributes, e.g. `mxnet_version: ["int", 10901]`.
    public var attrs: [String: JSONValue]

    /// The MXNet version we write into new graphs (the one whose files we match).
    public static let mxnetVersion = 10901

    /// Builds a graph from nodes and heads, deriving `argNodes` and `nodeRowPtr` the way MXNet does.
    public init(nodes: [Node], heads: [NodeEntry], attrs: [String: JSONValue]? = nil) {
        self.nodes = nodes
        self.heads = heads
        self.argNodes = nodes.indices.filter { nodes[$0].isVariable }
        self.nodeRowPtr = Symbol.rowPointers(nodes)
        self.attrs = attrs ?? ["mxnet_version": .array([.string("int"), .int(Symbol.mxnetVersion)])]
    }

    /// Parses MXNet's symbol JSON. `source` names the file in error messages.
    public init(json: Data, source: String) throws {
        let root: JSONValue
        do { root = try JSONParser.parse(json) } catch { throw GraphError.invalidJSON(file: source, detail: error.message) }
        self = try SymbolDecoder(file: source).decode(root)
    }

    /// Reads a `*-symbol.json` file.
    public static func load(contentsOf url: URL) throws -> Symbol {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GraphError.io(file: url.path, detail: "cannot read the symbol file: \(SystemErrorText.of(error))")
        }
        return try Symbol(json: data, source: url.lastPathComponent)
    }

    /// MXNet's layout of the graph (same key order, indentation and separators as MXNet's own files).
    public func jsonData() throws -> Data {
        Data(SymbolEncoder.encode(self).utf8)
    }

    /// Writes the JSON atomically (temporary file, then rename).
    public func write(to url: URL) throws {
        try writeAtomically(try jsonData(), to: url)
    }

    /// Names of the variables fed to auxiliary-state inputs (BatchNorm's moving mean and variance).
    private var auxiliaryNodeSet: Set<Int> {
        var aux = Set<Int>()
        for node in nodes {
            guard let auxiliary = OperatorRegistry.definition(of: node.op)?.auxiliaryInputs else { continue }
            for k in auxiliary where k < node.inputs.count {
                let entry = node.inputs[k]
                if nodes.indices.contains(entry.node) && nodes[entry.node].isVariable { aux.insert(entry.node) }
            }
        }
        return aux
    }

    /// MXNet's `list_arguments()`: variables that are not auxiliary states, in node order.
    public var argumentNames: [String] {
        let aux = auxiliaryNodeSet
        return nodes.indices.filter { nodes[$0].isVariable && !aux.contains($0) }.map { nodes[$0].name }
    }

    /// MXNet's `list_auxiliary_states()`: BatchNorm moving statistics, in node order.
    public var auxiliaryNames: [String] {
        let aux = auxiliaryNodeSet
        return nodes.indices.filter { aux.contains($0) }.map { nodes[$0].name }
    }

    /// Index of the node with this name, if any.
    public func nodeIndex(named name: String) -> Int? {
        nodes.firstIndex { $0.name == name }
    }

    /// Number of outputs each node has, as MXNet counts them in `node_row_ptr`.
    static func outputCount(of node: Node) -> Int {
        OperatorRegistry.definition(of: node.op)?.outputCount(of: node) ?? 1
    }

    static func rowPointers(_ nodes: [Node]) -> [Int] {
        var ptr = [0]
        ptr.reserveCapacity(nodes.count + 1)
        var next = 0
        for node in nodes {
            next += outputCount(of: node)
            ptr.append(next)
        }
        return ptr
    }
}

/// Writes `data` atomically (see `AtomicFile`), failing with a `GraphError` naming the file.
func writeAtomically(_ data: Data, to url: URL) throws {
    do {
        try AtomicFile.write(data, to: url)
    } catch let e as AtomicFile.WriteError {
        throw GraphError.io(file: url.path, detail: "cannot write: \(e.detail)")
    }
}
