import CDNNL
import Compute

/// MXNet `Convolution` (2-D, groups of 1) on oneDNN: forward, backward data and
/// backward weights, each in the layouts oneDNN prefers for this machine.
final class ConvolutionOp: Op {
    let output: Value
    private let src: InputPort
    private let weights: InputPort
    private let bias: Value?
    private let forwardPrim: Primitive
    private var backwardData: Primitive?
    private var backwardWeights: Primitive?
    private var bwdSrc: InputPort?
    private var bwdWeights: InputPort?
    private var bwdDiffDstForData: GradientPort?
    private var bwdDiffDstForWeights: GradientPort?
    private var diffWeights: InputPort?

    /// `compute` is the type the convolution runs in: f32, or bf16 (mixed precision: the
    /// weights stay f32 in the parameter store, their gradients come back f32).
    init(node: Node, input: Value, weight: Value, bias: Value?, training: Bool, arena: Arena? = nil,
         compute: dnnl_data_type_t = dnnl_f32) throws {
        func fail(_ detail: String) -> GraphError { .invalidShape(node: node.name, op: node.op, detail: detail) }
        let groups = try node.int("num_group", default: 1)
        let inDims = input.desc.dims, weightDims = weight.desc.dims
        guard groups == 1, inDims.count == 4, weightDims.count == 4 else {
            throw fail("only 2-D convolutions without groups are supported (data \(fmt(inDims)), weight \(fmt(weightDims)), num_group \(groups))")
        }
        let window = try Window(node, axes: 2, dilation: true)
        guard let outH = window.outputSize(0, input: inDims[2]), let outW = window.outputSize(1, input: inDims[3]) else {
            throw fail("kernel \(fmt(window.kernel)) (dilated) is larger than the padded input \(fmt(inDims))")
        }
        let filters = weightDims[0]
        let outDims = [inDims[0], filters, outH, outW]
        let stride = window.stride, pad = window.pad
        let padR = [window.rightPad(0, input: inDims[2], output: outH), window.rightPad(1, input: inDims[3], output: outW)]
        let dil = dims(window.dilate.map { $0 - 1 })

        var srcAny = try MemoryDesc.any(inDims, type: compute).raw
        var wAny = try MemoryDesc.any(weightDims, type: compute).raw
        var dstAny = try MemoryDesc.any(outDims, type: compute).raw
        var biasMd = bias.map { $0.desc.raw }
        var desc = dnnl_convolution_desc_t()
        let prop = training ? dnnl_forward_training : dnnl_forward_inference
        try withOptionalPointer(&biasMd) { biasPtr in
            try check(dnnl_dilated_convolution_forward_desc_init(&desc, prop, dnnl_convolution_direct, &srcAny, &wAny, biasPtr, &dstAny,
                                                                 dims(stride), dil, dims(pad), dims(padR)),
                      "describe convolution \(node.name)")
        }
        forwardPrim = try Primitive(desc: &desc, what: "create convolution \(node.name)")
        src = try InputPort(input, wants: forwardPrim.md(dnnl_query_src_md))
        weights = try InputPort(weight, wants: forwardPrim.md(dnnl_query_weights_md))
        self.bias = bias
        output = try Value(forwardPrim.md(dnnl_query_dst_md))

        guard training else { return }
        // Backward data: diff_src in the forward source layout, diff_dst as oneDNN likes it.
        var bd = dnnl_convolution_desc_t()
        var diffSrcAny = try MemoryDesc.any(inDims, type: compute).raw
        var diffDstAny = try MemoryDesc.any(outDims, type: compute).raw
        var wAny2 = try MemoryDesc.any(weightDims, type: compute).raw
        try check(dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &diffSrcAny, &wAny2, &diffDstAny,
                                                                   dims(stride), dil, dims(pad), dims(padR)),
                  "describe convolution backward \(node.name)")
        let bData = try Primitive(desc: &bd, hint: forwardPrim, what: "create convolution backward \(node.name)")
        backwardData = bData
        bwdWeights = try InputPort(weight, wants: bData.md(dnnl_query_weights_md))
        bwdDiffDstForData = try GradientPort(output, wants: bData.md(dnnl_query_diff_dst_md), arena: arena)
        srcGradient = try InputPort(input, wants: bData.md(dnnl_query_diff_src_md), arena: arena, forwardStaging: false)

        var bw = dnnl_convolution_desc_t()
        var s3 = try MemoryDesc.any(inDims, type: compute).raw
        var dw = try MemoryDesc.any(weightDims).raw
        var dd3 = try MemoryDesc.any(outDims, type: compute).raw
        var db = bias.map { $0.desc.raw }
        try withOptionalPointer(&db) { dbPtr in
            try check(dnnl_dilated_convolution_backward_weights_desc_init(&bw, dnnl_convolution_direct, &s3, &dw, dbPtr, &dd3,
                                                                          dims(stride), dil, dims(pad), dims(padR)),
                      "describe convolution weight gradient \(node.name)")
        }
        let bWeights = try Primitive(desc: &bw, hint: forwardPrim, what: "create convolution weight gradient \(node.name)")
        backwardWeights = bWeights
        bwdSrc = try InputPort(input, wants: bWeights.md(dnnl_query_src_md), arena: arena, forwardStaging: false)
        bwdDiffDstForWeights = try GradientPort(output, wants: bWeights.md(dnnl_query_diff_dst_md), arena: arena)
        diffWeights = try InputPort(weight, wants: bWeights.md(dnnl_query_diff_weights_md), arena: arena, forwardStaging: false)
    }

    func prepareScratch() throws {
        for port in [bwdSrc, srcGradient, diffWeights, bwdWeights] { try port?.prepareScratch() }
        for port in [bwdDiffDstForData, bwdDiffDstForWeights] { try port?.prepareScratch() }
    }

    private var srcGradient: InputPort?

    var inputs: [Value] { [src.value, weights.value] + (bias.map { [$0] } ?? []) }

    func forward() {
        src.stage()
        weights.stage()
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, src.tensor), (DNNL_ARG_WEIGHTS, weights.tensor), (DNNL_ARG_DST, output.tensor)]
        if let bias { args.append((DNNL_ARG_BIAS, bias.tensor)) }
        forwardPrim.execute(args)
    }

    func backward() {
        // Every backward part exists in a training executor (the only kind that runs this).
        guard output.hasGradient, let bw = backwardWeights, let wPort = diffWeights, let sPort = bwdSrc,
              let diffDstForWeights = bwdDiffDstForWeights, let diffDstForData = bwdDiffDstForData,
              let bwdW = bwdWeights, let port = srcGradient, let backwardData else { return }
        // Weight (and bias) gradients.
        let srcTensor: Tensor
        if sPort.desc == src.desc {
            srcTensor = src.tensor
        } else {
            sPort.stage()
            srcTensor = sPort.tensor
        }
        let dw = wPort.gradientDestination()
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, srcTensor), (DNNL_ARG_DIFF_DST, diffDstForWeights.fetch()), (DNNL_ARG_DIFF_WEIGHTS, dw)]
        let db = bias?.gradientDestination()
        if let db { args.append((DNNL_ARG_DIFF_BIAS, db)) }
        bw.execute(args)
        wPort.gradientDelivered(dw)
        if let bias, let db { bias.gradientDelivered(db) }

        // Data gradient.
        if bwdW.desc != weights.desc { bwdW.stage() }
        let wTensor = bwdW.desc == weights.desc ? weights.tensor : bwdW.tensor
        let ds = port.gradientDestination()
        backwardData.execute([(DNNL_ARG_DIFF_DST, diffDstForData.fetch()), (DNNL_ARG_WEIGHTS, wTensor), (DNNL_ARG_DIFF_SRC, ds)])
        port.gradientDelivered(ds)
    }
}

/// Passes a pointer to an optional C struct (nil when absent).
func withOptionalPointer<T, R>(_ value: inout T?, _ body: (UnsafePointer<T>?) throws -> R) rethrows -> R {
    if var v = value {
        return try withUnsafePointer(to: &v) { try body($0) }
    }
    return try body(nil)
}
