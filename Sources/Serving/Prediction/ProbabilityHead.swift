import Graph

/// Checks that a network ends in probabilities: predict, serve, transform and evaluate print
/// its output as class probabilities, so a graph ending in a FullyConnected (logits) or a ReLU
/// is refused at load rather than answered with numbers that are not probabilities. Which
/// operators output probabilities, and which pass their input through, is theirs to say
/// (`OperatorTraits`).
enum ProbabilityHead {
    static func check(_ symbol: Symbol, source: String) throws(PredictorError) {
        guard var entry = symbol.heads.first, entry.node < symbol.nodes.count else { return }
        var node = symbol.nodes[entry.node]
        // An identity's input decides; the walk ends because a graph is acyclic and bounded.
        var steps = 0
        while isPassThrough(node), let input = node.inputs.first, input.node < symbol.nodes.count, steps < symbol.nodes.count {
            entry = input
            node = symbol.nodes[entry.node]
            steps += 1
        }
        if OperatorRegistry.traits(of: node).probabilities != nil { return }
        throw PredictorError.notProbabilities(source: source, node: node.name, op: OperatorRegistry.describe(node))
    }

    /// An identity the executor runs (Dropout, which it refuses, is not looked through).
    static func isPassThrough(_ node: Node) -> Bool {
        OperatorRegistry.traits(of: node).inferenceIdentity && OperatorRegistry.names.contains(node.op)
    }
}
