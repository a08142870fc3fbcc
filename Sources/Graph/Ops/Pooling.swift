import CDNNL
import Compute

/// MXNet `Pooling` (max, avg, global) on oneDNN. MXNet's average pooling counts the
/// padding (`count_include_pad` defaults to true).
final class PoolingOp: Op {
    let output: Value
    private let input: Value
    private let forwardPrim: Primitive
    private var backwardPrim: Primitive?
    private var workspace: Tensor?

    init(node: Node, input: Value, training: Bool) throws {
        func fail(_ detail: String) -> GraphError { .invalidShape(node: node.name, op: node.op, detail: detail) }
        let inDims = input.desc.dims
        guard inDims.count == 4 else { throw fail("only 2-D pooling is supported (data \(fmt(inDims)))") }
        let global = try node.bool("global_pool", default: false)
        let type = try node.string("pool_type", default: "max")
        let convention = try node.string("pooling_convention", default: "valid")
        guard convention == "valid" || convention == "full" else {
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "pooling_convention", value: convention, expected: "valid or full")
        }
        let window = global ? Window(covering: [inDims[2], inDims[3]]) : try Window(node, axes: 2, dilation: false)
        let alg: dnnl_alg_kind_t
        switch type {
        case "max": alg = dnnl_pooling_max
        case "avg":
            alg = try node.bool("count_include_pad", default: true) ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding
        default:
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "pool_type", value: type, expected: "max or avg")
        }
        guard let outH = window.outputSize(0, input: inDims[2], ceil: convention == "full"),
              let outW = window.outputSize(1, input: inDims[3], ceil: convention == "full") else {
            throw fail("the pooling window is larger than the padded input \(fmt(inDims))")
        }
        let outDims = [inDims[0], inDims[1], outH, outW]
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
