import Compute
import Foundation

/// MXNet's loss heads: their label inputs, shape rules and compile step.
enum LossOutputOperator: OperatorDefinition {
    static let softmaxName = "SoftmaxOutput"
    static let logisticName = "LogisticRegressionOutput"
    static let names = [softmaxName, logisticName]

    /// The kind of loss head MXNet calls `op`, nil for any other operator.
    static func kind(of op: String) -> LossOutputOp.Kind? {
        switch op {
        case softmaxName: return .softmax
        case logisticName: return .logistic
        default: return nil
        }
    }

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        try query.expectInputs(2...2)
        // A loss head reads the scores of the layer below and a label variable: scores that
        // come straight from a variable, or a label computed by an op, are not a loss head.
        guard !query.isVariable(0) else {
            throw query.fail("input 0 (the scores) is a variable; a loss head must follow an operator such as FullyConnected")
        }
        guard query.isVariable(1) else { throw query.fail("input 1 (the label) is the output of an operator; it must be a label variable") }
        let d = try query.data()
        guard d.count == 2 else { throw query.fail("data shape \(fmt(d)) must be [batch, classes]") }
        _ = try LossAttributes(query.node)
        if kind(of: query.node.op) == .softmax { return ([d, [d[0]]], [d]) }
        // MXNet accepts a [N] label for [N, 1] outputs; keep whatever was given in that case.
        if d[1] == 1, let l = query.inputs[1], l == [d[0]] { return ([d, l], [d]) }
        return ([d, d], [d])
    }

    static func compile(_ step: CompileStep) throws {
        let node = step.node
        guard let kind = kind(of: node.op) else { throw GraphError.unknownOp(node: node.name, op: node.op) }
        let op = try LossOutputOp(node: node, attributes: try LossAttributes(node), input: try step.input(0), kind: kind)
        // Labels come one row per sample of the batch.
        guard op.labels.dims.first == step.compilation.batch else {
            throw GraphError.invalidShape(node: node.name, op: node.op,
                                          detail: "its input has \(op.labels.dims.first ?? 0) rows but the batch has \(step.compilation.batch) samples")
        }
        step.emitLoss(op)
    }
}

/// A loss head's attributes, read and checked once.
struct LossAttributes {
    var gradScale: Float
    /// `normalization=batch` (or `valid`, the same without ignored labels): the gradient
    /// is divided by the batch size.
    var dividesByBatch: Bool

    init(_ node: Node) throws {
        gradScale = try node.float("grad_scale", default: 1)
        let normalization = try node.string("normalization", default: "null")
        guard ["null", "batch", "valid"].contains(normalization) else {
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "normalization", value: normalization, expected: "null, batch or valid")
        }
        dividesByBatch = normalization != "null"
        for flag in ["multi_output", "use_ignore"] where try node.bool(flag, default: false) {
            throw GraphError.badAttr(node: node.name, op: node.op, attr: flag, value: node.attrs[flag] ?? "True", expected: "False (not supported)")
        }
    }
}

/// The compiled loss heads, which output probabilities in the forward pass and start the
/// backward pass with their own gradient (no gradient arrives from above):
/// - `SoftmaxOutput`: softmax over classes; gradient `p - onehot(label)` per sample.
/// - `LogisticRegressionOutput`: element-wise sigmoid; gradient `(p - y) / classes`
///   (MXNet's regression outputs divide by the number of outputs per sample).
/// Both are scaled by `grad_scale`, and divided by the batch with `normalization=batch`,
/// as MXNet does (the optimizer's `rescale_grad` averages over the batch otherwise).
final class LossOutputOp: Op {
    enum Kind { case softmax, logistic }

    let output: Value
    let labels: Tensor
    private let input: Value
    private let kind: Kind
    private let scale: Float
    private let batch: Int
    private let classes: Int
    /// Multi-label only: a weight per class on the positive term (use_weighted_loss).
    var positiveWeights: [Float]?

    init(node: Node, attributes: LossAttributes, input: Value, kind: Kind) throws {
        guard input.desc.dims.count == 2, input.desc.isPlain else {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "expects a plain [batch, classes] input")
        }
        self.input = input
        self.kind = kind
        batch = input.desc.dims[0]
        classes = input.desc.dims[1]
        var scale = attributes.gradScale
        guard batch > 0, classes > 0 else {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "input \(fmt(input.desc.dims)) has no rows or no classes")
        }
        if kind == .logistic { scale /= Float(classes) }
        if kind == .softmax, attributes.dividesByBatch { scale /= Float(batch) }
        self.scale = scale
        output = try Value(input.desc)
        labels = try Tensor(plain: kind == .softmax ? [batch] : [batch, classes])
    }

    var inputs: [Value] { [input] }

    func forward() {
        let x = input.tensor.floats, p = output.tensor.floats
        switch kind {
        case .softmax:
            for n in 0..<batch {
                let row = n * classes
                var top = -Float.infinity
                for k in 0..<classes { top = max(top, x[row + k]) }
                var sum: Float = 0
                for k in 0..<classes {
                    let e = Foundation.exp(x[row + k] - top)
                    p[row + k] = e
                    sum += e
                }
                for k in 0..<classes { p[row + k] /= sum }
            }
        case .logistic:
            for i in 0..<(batch * classes) { p[i] = 1 / (1 + Foundation.exp(-x[i])) }
        }
    }

    func backward() {
        let p = output.tensor.floats, y = labels.floats
        let g = input.gradientDestination()
        let d = g.floats
        switch kind {
        case .softmax:
            for n in 0..<batch {
                // A label that is not a class index (callers validate labels; this only keeps
                // a bad one from trapping) adds no one-hot term.
                let target = y[n] >= 0 && y[n] < Float(classes) ? Int(y[n]) : -1
                for k in 0..<classes {
                    d[n * classes + k] = scale * (p[n * classes + k] - (k == target ? 1 : 0))
                }
            }
        case .logistic:
            if let w = positiveWeights, w.count == classes {
                // Gradient of -(w y log p + (1 - y) log(1 - p)) with respect to the logit.
                for i in 0..<(batch * classes) {
                    let wc = w[i % classes]
                    d[i] = scale * (p[i] * (wc * y[i] + 1 - y[i]) - wc * y[i])
                }
            } else {
                for i in 0..<(batch * classes) { d[i] = scale * (p[i] - y[i]) }
            }
        }
        input.gradientDelivered(g)
    }
}

extension LossOutputOperator {
    /// Both heads output probabilities and read a label variable as input 1.
    static func traits(of node: Node) -> OperatorTraits {
        var traits = OperatorTraits()
        switch LossOutputOperator.kind(of: node.op) {
        case .softmax:
            traits.probabilities = .softmax
            traits.label = .classIndex
        case .logistic:
            traits.probabilities = .sigmoid
            traits.label = .multiLabel
        case nil: break
        }
        return traits
    }

    /// At inference, the probabilities of the [batch, classes] scores (the label input is not
    /// read): Softmax over axis 1, or Sigmoid.
    static let onnx = ONNXLoweringRule.lowered { query in
        try query.expectInputs(2)
        let d = try query.shape(0)
        guard d.count == 2 else { throw query.fail("data shape \(bracketed(d)) must be [batch, classes]") }
        switch LossOutputOperator.kind(of: query.node.op) {
        case .softmax: return .nodes([ONNXNodeDescription("Softmax", inputs: [.input(0)], attributes: [.int("axis", 1)])])
        case .logistic, nil: return .nodes([ONNXNodeDescription("Sigmoid", inputs: [.input(0)])])
        }
    }
}
