import CDNNL
import Compute

/// MXNet `Pooling` over 2-D data: max, or average (MXNet counts the padding:
/// `count_include_pad` defaults to true), windowed or global, with the "valid" (floor) or
/// "full" (ceil) output size. MXNet's "same" convention and sum pooling are refused.
enum PoolingOperator: OperatorDefinition {
    static let names = ["Pooling"]
    /// MXNet names an unnamed Pooling `poolingN`.
    static let autoNamePrefix = "pooling"

    /// MXNet 1.9 is built with oneDNN, whose max pooling keeps a workspace output.
    static func outputCount(of node: Node) -> Int { (node.attrs["pool_type"] ?? "max") == "max" ? 2 : 1 }

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        try query.expectInputs(1...1)
        let d = try query.data()
        let attributes = try PoolingAttributes(query.node, data: d)
        var out = [d[0], d[1]]
        for i in 0..<2 {
            guard let size = attributes.window.outputSize(i, input: d[2 + i], ceil: attributes.ceil) else {
                throw query.fail("kernel \(fmt(attributes.window.kernel)) is larger than the padded input \(fmt(d))")
            }
            out.append(size)
        }
        return ([d], outputCount(of: query.node) == 2 ? [out, out] : [out])
    }

    static func compile(_ step: CompileStep) throws {
        let input = try step.input(0)
        let attributes = try PoolingAttributes(step.node, data: input.desc.dims)
        step.emit(try PoolingOp(node: step.node, attributes: attributes, input: input, outputDims: try step.outputShape(), training: step.training))
    }
}

/// A Pooling node's attributes, read and checked once.
struct PoolingAttributes {
    var algorithm: dnnl_alg_kind_t
    var window: Window
    /// "full": the output size rounds up.
    var ceil: Bool

    init(_ node: Node, data d: [Int]) throws {
        guard d.count == 4 else {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "only 2-D pooling is supported (data \(fmt(d)) must be batch, channel, height, width)")
        }
        let type = try node.string("pool_type", default: "max")
        switch type {
        case "max": algorithm = dnnl_pooling_max
        case "avg":
            algorithm = try node.bool("count_include_pad", default: true) ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding
        default:
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "pool_type", value: type, expected: "max or avg")
        }
        let convention = try node.string("pooling_convention", default: "valid")
        guard convention == "valid" || convention == "full" else {
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "pooling_convention", value: convention, expected: "valid or full")
        }
        ceil = convention == "full"
        window = try node.bool("global_pool", default: false) ? Window(covering: [d[2], d[3]]) : try Window(node, axes: 2, dilation: false)
    }
}

/// Pooling on oneDNN.
final class PoolingOp: Op {
    let output: Value
    private let input: Value
    private let forwardPrim: Primitive
    private var backwardPrim: Primitive?
    private var workspace: Tensor?

    /// `outputDims` come from shape inference.
    init(node: Node, attributes: PoolingAttributes, input: Value, outputDims outDims: [Int], training: Bool) throws {
        let inDims = input.desc.dims, window = attributes.window, alg = attributes.algorithm
        guard inDims.count == 4, outDims.count == 4 else {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "only 2-D pooling is supported (data \(fmt(inDims)))")
        }
        let outH = outDims[2], outW = outDims[3]
        let kernel = window.kernel, stride = window.stride, pad = window.pad
        let padR = [window.rightPad(0, input: inDims[2], output: outH), window.rightPad(1, input: inDims[3], output: outW)]
        self.input = input
        var src = input.desc.raw
        var dst = try MemoryDesc.any(outDims, type: input.desc.dataType).raw
        var desc = dnnl_pooling_v2_desc_t()
        let dilation: [Int64] = [0, 0]
        try check(dnnl_pooling_v2_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, alg, &src, &dst,
                                                    dims(stride), dims(kernel), dilation, dims(pad), dims(padR)),
                  "describe pooling \(node.name)")
        forwardPrim = try Primitive(desc: &desc, what: "create pooling \(node.name)")
        output = try Value(forwardPrim.md(dnnl_query_dst_md))
        guard training else { return }
        if let ws = forwardPrim.workspace { workspace = try Tensor(ws) }
        var bd = dnnl_pooling_v2_desc_t()
        var diffSrc = input.desc.raw
        var diffDst = output.desc.raw
        try check(dnnl_pooling_v2_backward_desc_init(&bd, alg, &diffSrc, &diffDst, dims(stride), dims(kernel), dilation, dims(pad), dims(padR)),
                  "describe pooling backward \(node.name)")
        backwardPrim = try Primitive(desc: &bd, hint: forwardPrim, what: "create pooling backward \(node.name)")
    }

    var inputs: [Value] { [input] }

    /// Its backward step reads the workspace and the output gradient, never the kept input.
    var readsRecomputedInputs: Bool { true }

    func forward() {
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_DST, output.tensor)]
        if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
        forwardPrim.execute(args)
    }

    func backward() {
        guard let backwardPrim, output.hasGradient else { return }
        let ds = input.gradientDestination()
        var args: [(Int32, Tensor)] = [(DNNL_ARG_DIFF_DST, output.gradient), (DNNL_ARG_DIFF_SRC, ds)]
        if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
        backwardPrim.execute(args)
        input.gradientDelivered(ds)
    }
}

extension PoolingOperator {
    static func traits(of node: Node) -> OperatorTraits {
        var traits = OperatorTraits()
        traits.signPreserving = ["max", "avg"].contains(node.attrs["pool_type"] ?? "max")
        return traits
    }

    /// MaxPool / AveragePool over 2-D data, or their global forms. The padding is written
    /// out exactly: MXNet's "full" convention (ceil) becomes the extra end padding that
    /// gives MXNet's output size with ceil_mode 0, which is how our executor runs it; ONNX's
    /// own ceil_mode would drop a last window starting in the padding and count an average's
    /// window differently there.
    static let onnx = ONNXLoweringRule.lowered { query in
        let node = query.node
        try query.expectInputs(1)
        let d = try query.shape(0)
        guard d.count == 4 else { throw query.fail("only 2-D pooling is supported (data \(bracketed(d)))") }
        try query.requireChannelFirst(axes: 2)
        let type = try node.string("pool_type", default: "max")
        guard type == "max" || type == "avg" else { throw query.fail("pool_type \(type) is not supported (max or avg)") }
        let convention = try node.string("pooling_convention", default: "valid")
        guard convention == "valid" || convention == "full" else {
            throw query.fail("pooling_convention \(convention) is not supported (valid or full)")
        }
        if try node.bool("global_pool", default: false) {
            return .nodes([ONNXNodeDescription(type == "max" ? "GlobalMaxPool" : "GlobalAveragePool", inputs: [.input(0)])])
        }
        let window = try Window(node, axes: 2, dilation: false)
        var end: [Int] = []
        for i in 0..<2 {
            let room = d[2 + i] + 2 * window.pad[i] - window.kernel[i]
            guard room >= 0 else {
                throw query.fail("kernel \(bracketed(window.kernel)) is larger than the padded input \(bracketed(d))")
            }
            let stride = window.stride[i]
            let out = (convention == "full" ? (room + stride - 1) / stride : room / stride) + 1
            end.append(max(window.pad[i], (out - 1) * stride + window.kernel[i] - d[2 + i] - window.pad[i]))
        }
        var attributes: [ONNXAttributeDescription] = [.ints("kernel_shape", window.kernel), .ints("strides", window.stride),
                                                      .ints("pads", window.pad + end), .int("ceil_mode", 0)]
        if type == "avg" {
            attributes.append(.int("count_include_pad", try node.bool("count_include_pad", default: true) ? 1 : 0))
        }
        return .nodes([ONNXNodeDescription(type == "max" ? "MaxPool" : "AveragePool", inputs: [.input(0)], attributes: attributes)])
    }
}
