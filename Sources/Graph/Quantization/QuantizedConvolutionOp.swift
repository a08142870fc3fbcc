import CDNNL
import Compute

/// A 2-D convolution (no groups) run by oneDNN in int8, for inference: the float32 input is
/// quantized on the way in (u8 when it is never negative, after a ReLU; s8 otherwise) by a
/// reorder carrying its scale; the weights are quantized once, here, to s8 with one scale per
/// output channel (127 / max |w| of the channel); the bias stays f32; the output is f32, so
/// the rest of the graph runs as before.
///
/// oneDNN 2.x semantics: `dst = oscale[c] * (Σ q_x q_w + bias'[c])`, then the post-ops.
/// With `q_x = x * s_x` and `q_w = w * s_w[c]`, `oscale[c] = 1 / (s_x s_w[c])`, and the
/// bias must be given pre-scaled, `bias'[c] = bias[c] * s_x * s_w[c]` (2.x applies the
/// output scale after the bias; 3.x would not).
///
/// `sumWith` adds a residual through a sum post-op (it is copied into the output before the
/// convolution runs), and `fuseRelu` clamps the result (after the sum) with an eltwise
/// post-op. The weights are taken as given: a caller that folds BatchNorm into them passes
/// the folded weights and bias.
final class QuantizedConvolutionOp: Op {
    let output: Value
    let inputs: [Value]
    /// The implementation oneDNN chose for the convolution (e.g. `jit_uni_int8:avx2`).
    let implementation: String
    /// Per output channel: the weights' quantization multipliers (127 / max |w|).
    let weightScales: [Float]

    private let source: Value
    private let quantize: Reorder
    private let quantized: Tensor
    private let weights: Tensor
    private let bias: Tensor?
    private let residual: (value: Value, copy: Reorder)?
    private let primitive: Primitive

    /// `weights`: plain OIHW f32, `[outputDims[1], input channels, kh, kw]`; `bias`: one per
    /// output channel. `inputScale` is the input's multiplier (q = round(x * inputScale), see
    /// `QuantizationTable.Entry.inputScale`); values beyond the range saturate. Without VNNI
    /// a u8 input must stay within 0...127 (`QuantizationTable.unsignedLevels`), or oneDNN's
    /// 16-bit pairwise sums saturate.
    init(node: Node, input: Value, weights: [Float], bias: [Float]?, outputDims outDims: [Int],
         inputScale: Float, inputIsNonNegative: Bool, fuseRelu: Bool = false, sumWith: Value? = nil) throws {
        func fail(_ detail: String) -> GraphError { .invalidShape(node: node.name, op: node.op, detail: "int8: " + detail) }
        let groups = try node.int("num_group", default: 1)
        let inDims = input.desc.dims
        guard groups == 1, inDims.count == 4, outDims.count == 4 else {
            throw fail("only 2-D convolutions without groups are supported (data \(fmt(inDims)), num_group \(groups))")
        }
        let window = try Window(node, axes: 2, dilation: true)
        let oc = outDims[1], ic = inDims[1]
        let weightDims = [oc, ic] + window.kernel
        guard weights.count == MemoryDesc.elementCount(weightDims) else {
            throw fail("\(weights.count) weights given, expected \(fmt(weightDims))")
        }
        guard bias.map({ $0.count == oc }) ?? true else { throw fail("\(bias?.count ?? 0) biases given, expected \(oc)") }
        guard inputScale.isFinite, inputScale > 0 else { throw fail("the input scale \(inputScale) must be finite and above 0") }
        if let sumWith, sumWith.desc.dims != outDims {
            throw fail("the residual has shape \(fmt(sumWith.desc.dims)), the output \(fmt(outDims))")
        }

        // Per output channel: 127 / max |w|; an all-zero channel keeps 1.
        let perChannel = weights.count / oc
        var wScales = [Float](repeating: 1, count: oc)
        weights.withUnsafeBufferPointer { w in
            for c in 0..<oc {
                var m: Float = 0
                for k in c * perChannel..<(c + 1) * perChannel { m = max(m, abs(w[k])) }
                if m > 0, m.isFinite { wScales[c] = 127 / m }
            }
        }
        weightScales = wScales

        let srcType = inputIsNonNegative ? dnnl_u8 : dnnl_s8
        var srcAny = try MemoryDesc.any(inDims, type: srcType).raw
        var wAny = try MemoryDesc.any(weightDims, type: dnnl_s8).raw
        var dstAny = try MemoryDesc.any(outDims, type: dnnl_f32).raw
        let biasDesc = try bias.map { _ in try MemoryDesc.plain([oc]) }
        var biasMd = biasDesc?.raw
        let padR = [window.rightPad(0, input: inDims[2], output: outDims[2]), window.rightPad(1, input: inDims[3], output: outDims[3])]
        var desc = dnnl_convolution_desc_t()
        try withOptionalPointer(&biasMd) { biasPtr in
            try check(dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &srcAny, &wAny, biasPtr, &dstAny,
                                                                 dims(window.stride), dims(window.dilate.map { $0 - 1 }), dims(window.pad), dims(padR)),
                      "describe int8 convolution \(node.name)")
        }
        let attr = try PrimitiveAttributes()
        try attr.setOutputScales(wScales.map { 1 / (inputScale * $0) }, mask: 1 << 1)
        var postOps: [PrimitiveAttributes.PostOp] = []
        if sumWith != nil { postOps.append(.sum(scale: 1)) }
        if fuseRelu { postOps.append(.relu) }
        try attr.setPostOps(postOps)
        primitive = try Primitive(desc: &desc, attr: attr.raw, what: "create int8 convolution \(node.name) (oneDNN has no int8 kernel for it on this CPU)")
        implementation = primitive.implementation

        // The input: f32 in its producer's layout -> u8/s8 in the layout the convolution wants.
        let srcDesc = primitive.md(dnnl_query_src_md)
        quantize = try Reorder(from: input.desc, to: srcDesc, scales: [inputScale], mask: 0)
        quantized = try Tensor(srcDesc, zeroed: false)

        // The weights, once: plain f32 OIHW -> s8 in the convolution's layout (which may carry
        // oneDNN's s8-source compensation and, without VNNI, its weight-scale adjustment; the
        // reorder fills both in).
        let plainWeights = try Tensor(.plain(weightDims))
        plainWeights.copy(from: weights)
        let weightDesc = primitive.md(dnnl_query_weights_md)
        self.weights = try Tensor(weightDesc, zeroed: false)
        try Reorder(from: plainWeights.desc, to: weightDesc, scales: wScales, mask: 1 << 0).run(plainWeights, self.weights)

        if let bias, let biasDesc {
            let t = try Tensor(biasDesc)
            t.copy(from: (0..<oc).map { bias[$0] * inputScale * wScales[$0] })
            self.bias = t
        } else {
            self.bias = nil
        }
        let dst = try Value(primitive.md(dnnl_query_dst_md))
        output = dst
        residual = try sumWith.map { ($0, try Reorder(from: $0.desc, to: dst.desc)) }
        source = input
        inputs = [input] + (sumWith.map { [$0] } ?? [])
    }

    func forward() {
        quantize.run(source.tensor, quantized)
        if let residual { residual.copy.run(residual.value.tensor, output.tensor) }
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, quantized), (DNNL_ARG_WEIGHTS, weights), (DNNL_ARG_DST, output.tensor)]
        if let bias { args.append((DNNL_ARG_BIAS, bias)) }
        primitive.execute(args)
    }

    /// Inference only: executors compile this op only in inference mode.
    func backward() {}
}

extension QuantizedConvolutionOp {
    /// The executor's int8 path for a `Convolution` node (no fusion): weights and bias read
    /// from the parameter store as they are when the executor compiles.
    convenience init(_ step: CompileStep, entry: QuantizationTable.Entry, noBias: Bool) throws {
        try self.init(node: step.node, input: try step.input(0), weights: try step.input(1).tensor.toArray(),
                      bias: noBias ? nil : try step.input(2).tensor.toArray(), outputDims: try step.outputShape(),
                      inputScale: entry.inputScale, inputIsNonNegative: entry.inputNonNegative)
    }
}
