/// Which variables of a graph are labels: input 1 of every loss head (by its operator's
/// traits). The executor, the ONNX export and the predictor all find them here.
public struct LabelInput: Sendable, Equatable {
    /// The label variable's name (MXNet's convention: `softmax_label` for a head named `softmax`).
    public var name: String
    /// The loss head that reads it.
    public var head: String
    /// The head's operator, for messages.
    public var headOp: String
    /// [batch, classes] 0/1 values (a multi-label head) rather than [batch] class indices.
    public var multiLabel: Bool

    public init(name: String, head: String, headOp: String, multiLabel: Bool) {
        self.name = name
        self.head = head
        self.headOp = headOp
        self.multiLabel = multiLabel
    }
}

extension Symbol {
    /// The label inputs of every loss head, in node order (a loss head without a second input
    /// has none).
    public var labelInputs: [LabelInput] {
        nodes.compactMap { node -> LabelInput? in
            guard let kind = OperatorRegistry.traits(of: node).label, node.inputs.count > 1,
                  nodes.indices.contains(node.inputs[1].node) else { return nil }
            return LabelInput(name: nodes[node.inputs[1].node].name, head: node.name, headOp: node.op, multiLabel: kind == .multiLabel)
        }
    }

    /// Whether any loss head is multi-label (LogisticRegressionOutput), label input or not.
    public var hasMultiLabelHead: Bool {
        nodes.contains { OperatorRegistry.traits(of: $0).label == .multiLabel }
    }
}
