import CDNNL
import Compute

/// MXNet `Convolution`: shape inference follows MXNet for 1 to 3 spatial axes and groups;
/// the compiled op runs 2-D convolutions without groups and refuses the rest by name.
enum ConvolutionOperator: OperatorDefinition {
    static let names = ["Convolution"]

    /// MXNet's output size: floor((x + 2p - (d(k-1)+1)) / s) + 1.
    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        let node = query.node
        let (d, hasBias) = try query.weightedLayerInputs()
        let nd = d.count - 2
        guard (1...3).contains(nd) else { throw query.fail("data shape \(fmt(d)) must have 1 to 3 spatial axes after batch and channel") }
        if let layout = node.attrs["layout"], layout != "None", layout != ["NCW", "NCHW", "NCDHW"][nd - 1] {
            throw query.fail("layout \(layout) is not supported (only channel-first)")
        }
        let window = try Window(node, axes: nd, dilation: true)
        let filters = try node.int("num_filter", in: ShapeQuery.unitRange)
        let groups = try node.int("num_group", default: 1, in: ShapeQuery.unitRange)
        guard d[1] % groups == 0, filters % groups == 0 else {
            throw query.fail("num_filter \(filters) and input channels \(d[1]) must be multiples of num_group \(groups)")
        }
        var out = [d[0], filters]
        for i in 0..<nd {
            guard let size = window.outputSize(i, input: d[2 + i]) else {
                throw query.fail("kernel \(fmt(window.kernel)) (dilated) is larger than the padded input \(fmt(d))")
            }
            out.append(size)
        }
        var ins = [d, [filters, d[1] / groups] + window.kernel]
        if hasBias { ins.append([filters]) }
        return (ins, [out])
    }

    static func compile(_ step: CompileStep) throws {
        let noBias = try step.node.bool("no_bias", default: false)
        let compilation = step.compilation
        guard step.training else {
            // Inference: the BatchNorm, residual sum and ReLU that follow run inside this op,
            // in int8 when the executor's quantization table calibrated this convolution.
            let epilogue = try ConvolutionEpilogue.plan(step, outputDims: try step.outputShape())
            let input = try step.input(0), weight = try step.input(1).tensor, bias = noBias ? nil : try step.input(2).tensor
            if let entry = compilation.quantization?.entry(for: step.node.name) {
                step.emit(try QuantizedConvolutionOp(node: step.node, input: input, weight: weight, bias: bias, outputDims: try step.outputShape(),
                                                     epilogue: epilogue, entry: entry),
                          producing: epilogue.lastNode)
            } else {
                step.emit(try InferenceConvolutionOp(node: step.node, input: input, weight: weight, bias: bias, outputDims: try step.outputShape(),
                                                     epilogue: epilogue, compute: compilation.convolutionType,
                                                     algorithm: compilation.convolutionAlgorithm, store: compilation.parameters),
                          producing: epilogue.lastNode)
            }
            return
        }
        step.emit(try ConvolutionOp(node: step.node, input: try step.input(0), weight: try step.input(1),
                                    bias: noBias ? nil : try step.input(2), outputDims: try step.outputShape(),
                                    arena: compilation.arena, compute: compilation.convolutionType))
    }
}

/// A 2-D convolution without groups on oneDNN, for training: forward, backward data and
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
    /// `outputDims` come from shape inference.
    init(node: Node, input: Value, weight: Value, bias: Value?, outputDims outDims: [Int], arena: Arena? = nil,
         compute: dnnl_data_type_t = dnnl_f32) throws {
        let geometry = try ConvolutionGeometry(node: node, input: input.desc.dims, weight: weight.desc.dims, output: outDims)
        let inDims = geometry.input, weightDims = geometry.weight
        let stride = geometry.stride, pad = geometry.padLeft, padR = geometry.padRight, dil = geometry.dilation
        var desc = try geometry.forwardDescriptor(node, training: true, compute: compute, bias: bias?.desc)
        forwardPrim = try Primitive(desc: &desc, what: "create convolution \(node.name)")
        src = try InputPort(input, wants: forwardPrim.md(dnnl_query_src_md))
        weights = try InputPort(weight, wants: forwardPrim.md(dnnl_query_weights_md))
        self.bias = bias
        output = try Value(forwardPrim.md(dnnl_query_dst_md))

        // Backward data: diff_src in the forward source layout, diff_dst as oneDNN likes it.
        var bd = dnnl_convolution_desc_t()
        var diffSrcAny = try MemoryDesc.any(inDims, type: compute).raw
        var diffDstAny = try MemoryDesc.any(outDims, type: compute).raw
        var wAny2 = try MemoryDesc.any(weightDims, type: compute).raw
        try check(dnnl_dilated_convolution_backward_data_desc_init(&bd, dnnl_convolution_direct, &diffSrcAny, &wAny2, &diffDstAny,
                                                                   stride, dil, pad, padR),
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
                                                                          stride, dil, pad, padR),
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

    /// Its backward steps read the source as it is at that step, so a rebuilt input is read right.
    var readsRecomputedInputs: Bool { true }

    var inputs: [Value] { [src.value, weights.value] + (bias.map { [$0] } ?? []) }

    func forward() {
        src.stage()
        weights.stage()
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, src.tensor), (DNNL_ARG_WEIGHTS, weights.tensor), (DNNL_ARG_DST, output.tensor)]
        if let bias { args.append((DNNL_ARG_BIAS, bias.tensor)) }
        forwardPrim.execute(args)
    }

    func backward() {
        // Every backward part exists: this op is only compiled for training.
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

extension ConvolutionOperator {
    /// A quantization table names convolutions; int8 runs those without groups.
    static func traits(of node: Node) -> OperatorTraits {
        var traits = OperatorTraits()
        traits.quantizable = true
        traits.calibrated = !node.inputs.isEmpty && (try? node.int("num_group", default: 1)) == 1
        return traits
    }

    /// Conv with MXNet's symmetric padding, strides, dilations and groups.
    static let onnx = ONNXLoweringRule.lowered { query in
        let node = query.node
        let noBias = try node.bool("no_bias", default: false)
        try query.expectInputs(noBias ? 2 : 3)
        let d = try query.shape(0)
        let axes = d.count - 2
        guard (1...3).contains(axes) else { throw query.fail("data shape \(bracketed(d)) must have 1 to 3 spatial axes") }
        try query.requireChannelFirst(axes: axes)
        let window = try Window(node, axes: axes, dilation: true)
        let groups = try node.int("num_group", default: 1, in: ShapeQuery.unitRange)
        return .nodes([ONNXNodeDescription("Conv", inputs: noBias ? [.input(0), .input(1)] : [.input(0), .input(1), .input(2)], attributes: [
            .ints("kernel_shape", window.kernel), .ints("strides", window.stride),
            .ints("dilations", window.dilate), .ints("pads", window.pad + window.pad),
            .int("group", groups),
        ])])
    }
}
