import CDNNL
import Compute

/// MXNet `Activation` (relu, sigmoid, tanh, softrelu) as a oneDNN eltwise primitive.
/// ReLUs that follow a BatchNorm are fused into it instead (see `BatchNormOperator`).
enum ActivationOperator: OperatorDefinition {
    static let names = ["Activation"]

    /// The oneDNN algorithm for the node's `act_type`; other types are refused.
    static func algorithm(_ node: Node) throws -> dnnl_alg_kind_t {
        let kind = try node.string("act_type")
        switch kind {
        case "relu": return dnnl_eltwise_relu
        case "sigmoid": return dnnl_eltwise_logistic
        case "tanh": return dnnl_eltwise_tanh
        case "softrelu": return dnnl_eltwise_soft_relu
        default:
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "act_type", value: kind, expected: "relu, sigmoid, tanh or softrelu")
        }
    }

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        try query.expectInputs(1...1)
        _ = try algorithm(query.node)
        let d = try query.data()
        return ([d], [d])
    }

    static func compile(_ step: CompileStep) throws {
        step.emit(try ActivationOp(node: step.node, input: try step.input(0), training: step.training))
    }
}

final class ActivationOp: Op {
    let output: Value
    private let input: Value
    private let forwardPrim: Primitive
    private var backwardPrim: Primitive?

    init(node: Node, input: Value, training: Bool) throws {
        let alg = try ActivationOperator.algorithm(node)
        self.input = input
        var data = input.desc.raw
        var desc = dnnl_eltwise_desc_t()
        try check(dnnl_eltwise_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, alg, &data, 0, 0),
                  "describe activation \(node.name)")
        forwardPrim = try Primitive(desc: &desc, what: "create activation \(node.name)")
        output = try Value(forwardPrim.md(dnnl_query_dst_md))
        guard training else { return }
        var bd = dnnl_eltwise_desc_t()
        var diff = input.desc.raw, data2 = input.desc.raw
        try check(dnnl_eltwise_backward_desc_init(&bd, alg, &diff, &data2, 0, 0), "describe activation backward \(node.name)")
        backwardPrim = try Primitive(desc: &bd, hint: forwardPrim, what: "create activation backward \(node.name)")
    }

    var inputs: [Value] { [input] }

    func forward() {
        forwardPrim.execute([(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_DST, output.tensor)])
    }

    func backward() {
        guard let backwardPrim, output.hasGradient else { return }
        let ds = input.gradientDestination()
        backwardPrim.execute([(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_DIFF_DST, output.gradient), (DNNL_ARG_DIFF_SRC, ds)])
        input.gradientDelivered(ds)
    }
}

extension ActivationOperator {
    static func traits(of node: Node) -> OperatorTraits {
        var traits = OperatorTraits()
        traits.rectifier = node.attrs["act_type"] == "relu"
        traits.probabilities = node.attrs["act_type"] == "sigmoid" ? .sigmoid : nil
        return traits
    }

    static func describe(_ node: Node) -> String { "\(node.op)(act_type=\(node.attrs["act_type"] ?? "?"))" }

    /// Relu, Sigmoid, Tanh or Softplus.
    static let onnx = ONNXLoweringRule.lowered { query in
        try query.expectInputs(1)
        let kind = try query.node.string("act_type")
        let onnx: String
        switch kind {
        case "relu": onnx = "Relu"
        case "sigmoid": onnx = "Sigmoid"
        case "tanh": onnx = "Tanh"
        case "softrelu": onnx = "Softplus"
        default: throw query.fail("act_type \(kind) is not supported (relu, sigmoid, tanh or softrelu)")
        }
        return .nodes([ONNXNodeDescription(onnx, inputs: [.input(0)])])
    }
}
