import Graph

/// Checks that a network ends in probabilities: predict, serve, transform and evaluate print
/// its output as class probabilities, so a graph ending in a FullyConnected (logits) or a ReLU
/// is refused at load rather than answered with numbers that are not probabilities.
enum ProbabilityHead {
    /// The ops whose output is a probability per class (identities are looked through).
    static let probabilityOps = ["SoftmaxOutput", "LogisticRegressionOutput"]
    static let passThroughOps = ["_copy", "identity"]

    static func check(_ symbol: Symbol, source: String) throws(PredictorError) {
        guard var entry = symbol.heads.first, entry.node < symbol.nodes.count else { return }
        var node = symbol.nodes[entry.node]
        // An identity's input decides; the walk ends because a graph is acyclic and bounded.
        var steps = 0
        while passThroughOps.contains(node.op), let input = node.inputs.first, input.node < symbol.nodes.count, steps < symbol.nodes.count {
            entry = input
            node = symbol.nodes[entry.node]
            steps += 1
        }
        if probabilityOps.contains(node.op) { return }
        if node.op == "Activation" && node.attrs["act_type"] == "sigmoid" { return }
        let op = node.op == "Activation" ? "Activation(act_type=\(node.attrs["act_type"] ?? "?"))" : node.op
        throw PredictorError.notProbabilities(source: source, node: node.name, op: op)
    }
}
