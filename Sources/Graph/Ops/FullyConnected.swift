import CDNNL
import Compute

/// MXNet `FullyConnected`: an inner product over the flattened input and MXNet's
/// [num_hidden, K] weights. With `flatten=False` only the last axis is contracted (shape
/// inference follows MXNet); the compiled op flattens, so it runs only on 2-D data then.
enum FullyConnectedOperator: OperatorDefinition {
    static let names = ["FullyConnected"]

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        let node = query.node
        let (d, hasBias) = try query.weightedLayerInputs()
        let hidden = try node.int("num_hidden", in: ShapeQuery.unitRange)
        guard let last = d.last, let inputUnits = ShapeMath.product(d.dropFirst()) else {
            throw query.fail("data shape \(fmt(d)) cannot feed a fully connected layer")
        }
        let (inUnits, out) = try node.bool("flatten", default: true)
            ? (inputUnits, [d[0], hidden])
            : (last, Array(d.dropLast()) + [hidden])
        var ins = [d, [hidden, inUnits]]
        if hasBias { ins.append([hidden]) }
        return (ins, [out])
    }

    static func compile(_ step: CompileStep) throws {
        var input = try step.input(0)
        if input.desc.dims.count != 2 {
            guard try step.node.bool("flatten", default: true) else {
                throw GraphError.invalidShape(node: step.node.name, op: step.node.op,
                                              detail: "flatten=False on data of shape \(fmt(input.desc.dims)) is not supported (only on [batch, features] data)")
            }
            let flatten = try FlattenOp(node: step.node, input: input)
            step.emitIntermediate(flatten)
            input = flatten.output
        }
        let noBias = try step.node.bool("no_bias", default: false)
        step.emit(try FullyConnectedOp(node: step.node, input: input, weight: try step.input(1),
                                       bias: noBias ? nil : try step.input(2), training: step.training))
    }
}

/// An inner product on oneDNN over a plain [N, K] input.
final class FullyConnectedOp: Op {
    let output: Value
    private let input: Value
    private let weight: Value
    private let bias: Value?
    private let forwardPrim: Primitive
    private var backwardData: Primitive?
    private var backwardWeights: Primitive?

    init(node: Node, input: Value, weight: Value, bias: Value?, training: Bool) throws {
        guard input.desc.dims.count == 2, input.desc.isPlain else {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "expects a flattened [batch, features] input")
        }
        self.input = input
        self.weight = weight
        self.bias = bias
        guard weight.desc.dims.count == 2, weight.desc.dims[1] == input.desc.dims[1] else {
            throw GraphError.invalidShape(node: node.name, op: node.op,
                                          detail: "weight \(fmt(weight.desc.dims)) does not fit the input \(fmt(input.desc.dims)) (expected [num_hidden, \(input.desc.dims[1])])")
        }
        let n = input.desc.dims[0], hidden = weight.desc.dims[0]
        var src = input.desc.raw, w = weight.desc.raw
        var dst = try MemoryDesc.plain([n, hidden]).raw
        var b = bias.map { $0.desc.raw }
        var desc = dnnl_inner_product_desc_t()
        try withOptionalPointer(&b) { bp in
            try check(dnnl_inner_product_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, &src, &w, bp, &dst),
                      "describe fully connected \(node.name)")
        }
        forwardPrim = try Primitive(desc: &desc, what: "create fully connected \(node.name)")
        output = try Value(.plain([n, hidden]))
        guard training else { return }
        var bd = dnnl_inner_product_desc_t()
        var ds = input.desc.raw, w2 = weight.desc.raw, dd = output.desc.raw
        try check(dnnl_inner_product_backward_data_desc_init(&bd, &ds, &w2, &dd), "describe fully connected backward \(node.name)")
        backwardData = try Primitive(desc: &bd, hint: forwardPrim, what: "create fully connected backward \(node.name)")
        var bw = dnnl_inner_product_desc_t()
        var s3 = input.desc.raw, dw = weight.desc.raw, dd3 = output.desc.raw
        var db = bias.map { $0.desc.raw }
        try withOptionalPointer(&db) { dbp in
            try check(dnnl_inner_product_backward_weights_desc_init(&bw, &s3, &dw, dbp, &dd3), "describe fully connected weight gradient \(node.name)")
        }
        backwardWeights = try Primitive(desc: &bw, hint: forwardPrim, what: "create fully connected weight gradient \(node.name)")
    }

    var inputs: [Value] { [input, weight] + (bias.map { [$0] } ?? []) }

    func forward() {
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_WEIGHTS, weight.tensor), (DNNL_ARG_DST, output.tensor)]
        if let bias { args.append((DNNL_ARG_BIAS, bias.tensor)) }
        forwardPrim.execute(args)
    }

    func backward() {
        guard output.hasGradient, let backwardWeights, let backwardData else { return }
        let dw = weight.gradientDestination()
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_DIFF_DST, output.gradient), (DNNL_ARG_DIFF_WEIGHTS, dw)]
        let db = bias?.gradientDestination()
        if let db { args.append((DNNL_ARG_DIFF_BIAS, db)) }
        backwardWeights.execute(args)
        weight.gradientDelivered(dw)
        if let bias, let db { bias.gradientDelivered(db) }
        let ds = input.gradientDestination()
        backwardData.execute([(DNNL_ARG_DIFF_DST, output.gradient), (DNNL_ARG_WEIGHTS, weight.tensor), (DNNL_ARG_DIFF_SRC, ds)])
        input.gradientDelivered(ds)
    }
}

extension FullyConnectedOperator {
    /// Gemm with MXNet's [num_hidden, K] weight (transB 1), after a Flatten for data of rank > 2.
    static let onnx = ONNXLoweringRule.lowered { query in
        let node = query.node
        let noBias = try node.bool("no_bias", default: false)
        try query.expectInputs(noBias ? 2 : 3)
        let d = try query.shape(0)
        var nodes: [ONNXNodeDescription] = []
        var x = ONNXInputDescription.input(0)
        if d.count != 2 {
            guard try node.bool("flatten", default: true) else {
                throw query.fail("flatten=False on data of shape \(bracketed(d)) is not supported (only on [batch, features] data)")
            }
            nodes.append(ONNXNodeDescription("Flatten", inputs: [x], attributes: [.int("axis", 1)], intermediateSuffix: "_flatten"))
            x = .previous
        }
        nodes.append(ONNXNodeDescription("Gemm", inputs: noBias ? [x, .input(1)] : [x, .input(1), .input(2)],
                                         attributes: [.float("alpha", 1), .float("beta", 1), .int("transB", 1)]))
        return .nodes(nodes)
    }
}
