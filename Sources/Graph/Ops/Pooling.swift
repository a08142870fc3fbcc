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
        let inDims = input.desc.dims
        let global = try node.bool("global_pool", default: false)
        let type = try node.string("pool_type", default: "max")
        let full = try node.string("pooling_convention", default: "valid") == "full"
        var kernel = global ? [inDims[2], inDims[3]] : try node.tuple("kernel")
        var stride = global ? [1, 1] : try node.tuple("stride", default: [1, 1])
        var pad = global ? [0, 0] : try node.tuple("pad", default: [0, 0])
        if kernel.count != 2 {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "only 2-D pooling is supported")
        }
        if stride.count == 0 { stride = [1, 1] }
        if pad.count == 0 { pad = [0, 0] }
        kernel = kernel.map { max($0, 1) }
        let alg: dnnl_alg_kind_t
        switch type {
        case "max": alg = dnnl_pooling_max
        case "avg":
            alg = try node.bool("count_include_pad", default: true) ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding
        default:
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "pool_type", value: type, expected: "max or avg")
        }
        let outH = outputSize(inDims[2], kernel: kernel[0], stride: stride[0], pad: pad[0], full: full)
        let outW = outputSize(inDims[3], kernel: kernel[1], stride: stride[1], pad: pad[1], full: full)
        let outDims = [inDims[0], inDims[1], outH, outW]
        let padR = [rightPad(input: inDims[2], output: outH, kernel: kernel[0], stride: stride[0], padLeft: pad[0]),
                    rightPad(input: inDims[3], output: outW, kernel: kernel[1], stride: stride[1], padLeft: pad[1])]
        self.input = input
        var src = input.desc.raw
        var dst = MemoryDesc.any(outDims, type: input.desc.dataType).raw
        var desc = dnnl_pooling_v2_desc_t()
        let dilation: [Int64] = [0, 0]
        try check(dnnl_pooling_v2_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, alg, &src, &dst,
                                                    dims(stride), dims(kernel), dilation, dims(pad), dims(padR)),
                  "describe pooling \(node.name)")
        forwardPrim = try Primitive(desc: &desc, what: "create pooling \(node.name)")
        output = Value(forwardPrim.md(dnnl_query_dst_md))
        guard training else { return }
        if let ws = forwardPrim.workspace { workspace = Tensor(ws) }
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
        var args: [(Int32, Tensor)] = [(DNNL_ARG_DIFF_DST, output.grad!), (DNNL_ARG_DIFF_SRC, ds)]
        if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
        backwardPrim.execute(args)
        input.gradientDelivered(ds)
    }
}
