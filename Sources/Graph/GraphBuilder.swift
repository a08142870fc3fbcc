import Foundation

/// Builds a `Symbol` the way MXNet's Python symbol API does, so that the result is
/// node-for-node what MXNet would save:
/// - an operator's missing parameter inputs become variables named `<op name>_<input>`
///   that carry a copy of the operator's attributes (MXNet copies them over);
/// - BatchNorm's moving statistics get MXNet's `__init__` attribute and version 1 edges;
/// - unnamed operators get MXNet's automatic names (`_plus0`, `pooling0`, `flatten0`),
///   counted from zero as in a fresh MXNet process;
/// - nodes are appended as they are created, which for graphs built inputs-first is
///   exactly MXNet's depth-first save order.
public struct GraphBuilder {
    public private(set) var nodes: [Node] = []
    private var autoNameCounts: [String: Int] = [:]

    public init() {}

    /// MXNet's automatic name for an unnamed node: a prefix and a per-prefix counter.
    public mutating func autoName(_ prefix: String) -> String {
        let n = autoNameCounts[prefix, default: 0]
        autoNameCounts[prefix] = n + 1
        return "\(prefix)\(n)"
    }

    /// A variable (argument or auxiliary state).
    public mutating func variable(_ name: String, attrs: [String: String] = [:]) -> NodeEntry {
        nodes.append(Node(op: "null", name: name, attrs: attrs))
        return NodeEntry(node: nodes.count - 1)
    }

    /// An operator node whose inputs already exist.
    public mutating func op(_ op: String, name: String, attrs: [String: String] = [:], inputs: [NodeEntry]) -> NodeEntry {
        nodes.append(Node(op: op, name: name, attrs: attrs, inputs: inputs))
        return NodeEntry(node: nodes.count - 1)
    }

    /// An operator with `data` plus auto-created parameter variables named `<name>_<param>`.
    /// `versioned` parameters (mutated auxiliary states) get version-1 edges.
    public mutating func op(_ op: String, name: String, attrs: [String: String], data: [NodeEntry],
                            params: [String], extraVarAttrs: [String: [String: String]] = [:],
                            versioned: Set<String> = []) -> NodeEntry {
        var inputs = data
        for p in params {
            let v = variable("\(name)_\(p)", attrs: attrs.merging(extraVarAttrs[p] ?? [:]) { $1 })
            inputs.append(NodeEntry(node: v.node, output: 0, version: versioned.contains(p) ? 1 : 0))
        }
        return self.op(op, name: name, attrs: attrs, inputs: inputs)
    }

    // MARK: Layers, named and attributed as MXNet's `mx.sym.*` functions name them.

    public mutating func batchNorm(_ x: NodeEntry, name: String, attrs: [String: String]) -> NodeEntry {
        op(BatchNormOperator.name, name: name, attrs: attrs, data: [x], params: ["gamma", "beta", "moving_mean", "moving_var"],
           extraVarAttrs: ["moving_mean": ["__init__": "[\"zero\", {}]"], "moving_var": ["__init__": "[\"one\", {}]"]],
           versioned: ["moving_mean", "moving_var"])
    }

    public mutating func convolution(_ x: NodeEntry, name: String, attrs: [String: String]) -> NodeEntry {
        let noBias = attrs["no_bias"].map { $0 == "True" || $0 == "1" } ?? false
        return op(ConvolutionOperator.name, name: name, attrs: attrs, data: [x], params: noBias ? ["weight"] : ["weight", "bias"])
    }

    public mutating func fullyConnected(_ x: NodeEntry, name: String, attrs: [String: String]) -> NodeEntry {
        let noBias = attrs["no_bias"].map { $0 == "True" || $0 == "1" } ?? false
        return op(FullyConnectedOperator.name, name: name, attrs: attrs, data: [x], params: noBias ? ["weight"] : ["weight", "bias"])
    }

    public mutating func activation(_ x: NodeEntry, name: String, actType: String = "relu") -> NodeEntry {
        op(ActivationOperator.name, name: name, attrs: ["act_type": actType], inputs: [x])
    }

    /// `a + b` on symbols: MXNet's `elemwise_add` named `_plusN`.
    public mutating func add(_ a: NodeEntry, _ b: NodeEntry) -> NodeEntry {
        op(ElementwiseAddOperator.name, name: autoName(ElementwiseAddOperator.autoNamePrefix), inputs: [a, b])
    }

    /// MXNet's `_copy` of `x`.
    public mutating func identity(_ x: NodeEntry, name: String) -> NodeEntry {
        op(IdentityOperator.name, name: name, inputs: [x])
    }

    /// MXNet's `Pooling` of `x`; unnamed, it takes MXNet's automatic name (`pooling0`, ...).
    public mutating func pooling(_ x: NodeEntry, name: String? = nil, attrs: [String: String]) -> NodeEntry {
        op(PoolingOperator.name, name: name ?? autoName(PoolingOperator.autoNamePrefix), attrs: attrs, inputs: [x])
    }

    /// MXNet's `Flatten` of `x`; unnamed, it takes MXNet's automatic name (`flatten0`, ...).
    public mutating func flatten(_ x: NodeEntry, name: String? = nil) -> NodeEntry {
        op(FlattenOperator.name, name: name ?? autoName(FlattenOperator.autoNamePrefix), inputs: [x])
    }

    /// A classifier's loss output with its `<name>_label` variable: `SoftmaxOutput`, or
    /// `LogisticRegressionOutput` for a multi-label one.
    public mutating func lossOutput(_ x: NodeEntry, name: String, multiLabel: Bool) -> NodeEntry {
        output(multiLabel ? LossOutputOperator.logisticName : LossOutputOperator.softmaxName, x, name: name)
    }

    /// A loss output (`SoftmaxOutput`, `LogisticRegressionOutput`) with its `<name>_label` variable.
    public mutating func output(_ op: String, _ x: NodeEntry, name: String) -> NodeEntry {
        self.op(op, name: name, attrs: [:], data: [x], params: ["label"])
    }

    /// The finished graph with the given outputs and MXNet's version attribute.
    public func symbol(heads: [NodeEntry]) -> Symbol {
        Symbol(nodes: nodes, heads: heads)
    }
}
