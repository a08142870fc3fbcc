import CDNNL
import Compute

/// MXNet `elemwise_add` / `_Plus` / `_plus`: the residual sum. Its gradient flows
/// unchanged to both inputs.
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

    func backward() {
        guard output.hasGradient else { return }
        for (value, copy) in [(lhs, toLhs), (rhs, toRhs)] {
            let d = value.gradientDestination()
            copy.run(output.gradient, d)
            value.gradientDelivered(d)
        }
    }
}
