import CDNNL
import Compute

/// MXNet `elemwise_add` / `_Plus` / `_plus` / `broadcast_add` of two arrays of one shape:
/// the residual sum. Broadcasting is refused. Its gradient flows unchanged to both inputs.
enum ElementwiseAddOperator: OperatorDefinition {
    static let names = ["elemwise_add", "_Plus", "_plus", "broadcast_add"]

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        try query.expectInputs(2...2)
        guard let s = query.inputs[0] ?? query.inputs[1] else {
            throw GraphError.missingInputShape(array: query.inputName(0), node: query.node.name)
        }
        if let a = query.inputs[0], let b = query.inputs[1], a != b {
            throw query.fail("cannot add shapes \(fmt(a)) and \(fmt(b)) (only equal shapes are added; broadcasting is not supported)")
        }
        return ([s, s], [s])
    }

    static func compile(_ step: CompileStep) throws {
        step.emit(try ElementwiseAddOp(node: step.node, lhs: try step.input(0), rhs: try step.input(1)))
    }
}

final class ElementwiseAddOp: Op {
    let output: Value
    private let lhs: Value
    private let rhs: Value
    private let forwardPrim: Primitive
    private let toLhs: Reorder
    private let toRhs: Reorder

    init(node: Node, lhs: Value, rhs: Value) throws {
        guard lhs.desc.dims == rhs.desc.dims else {
            throw GraphError.invalidShape(node: node.name, op: node.op,
                                          detail: "cannot add shapes \(fmt(lhs.desc.dims)) and \(fmt(rhs.desc.dims)) at this batch size (only equal shapes are added; broadcasting is not supported)")
        }
        self.lhs = lhs
        self.rhs = rhs
        var a = lhs.desc.raw, b = rhs.desc.raw, c = lhs.desc.raw
        var desc = dnnl_binary_desc_t()
        try check(dnnl_binary_desc_init(&desc, dnnl_binary_add, &a, &b, &c), "describe addition \(node.name)")
        forwardPrim = try Primitive(desc: &desc, what: "create addition \(node.name)")
        output = try Value(lhs.desc)
        toLhs = try Reorder(from: output.desc, to: lhs.desc)
        toRhs = try Reorder(from: output.desc, to: rhs.desc)
    }

    var inputs: [Value] { [lhs, rhs] }

    func forward() {
        forwardPrim.execute([(DNNL_ARG_SRC_0, lhs.tensor), (DNNL_ARG_SRC_1, rhs.tensor), (DNNL_ARG_DST, output.tensor)])
    }

    var gradientPassThroughInputs: [Value] { [lhs, rhs].filter { $0.desc == output.desc } }

    func backward() {
        guard output.hasGradient else { return }
        for (value, copy) in [(lhs, toLhs), (rhs, toRhs)] {
            let d = value.gradientDestination()
            // An input sharing the output's gradient buffer has its gradient already.
            if d !== output.gradient { copy.run(output.gradient, d) }
            value.gradientDelivered(d)
        }
    }
}

extension ElementwiseAddOperator {
    /// MXNet names an unnamed sum `_plusN` (the prefix of `a + b` on symbols).
    static let autoNamePrefix = "_plus"

    /// The residual sum (shape inference has checked the shapes are equal).
    static let onnx = ONNXLoweringRule.lowered { query in
        try query.expectInputs(2)
        return .nodes([ONNXNodeDescription("Add", inputs: [.input(0), .input(1)])])
    }
}
