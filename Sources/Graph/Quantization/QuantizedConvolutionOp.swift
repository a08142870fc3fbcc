import CDNNL
import Compute

/// A convolution of an inference executor run by oneDNN in int8, with the same epilogue as
/// `InferenceConvolutionOp` (the BatchNorm folded into the weights, then the residual sum
/// and the ReLU as post-ops). The float32 input is quantized on the way in (u8 when it is
/// never negative, after a ReLU; s8 otherwise) by a reorder carrying its calibrated scale;
/// the folded weights are quantized to s8 with one scale per output channel
/// (127 / max |w'| of the channel); the output stays f32, so the rest of the graph runs as
/// before.
///
/// oneDNN 2.x semantics: `dst = oscale[c] * (Σ q_x q_w + bias'[c])`, then the post-ops.
/// With `q_x = x * s_x` and `q_w = w' * s_w[c]`, `oscale[c] = 1 / (s_x s_w[c])`, and the
/// bias is given pre-scaled, `bias'[c] = b'[c] * s_x * s_w[c]`.
///
/// The output scales are fixed when a oneDNN int8 primitive is created (its jit kernels
/// take no scales at run time), so the primitive is created again whenever the weights
/// change (`parametersChanged`), from the same descriptor.
final class QuantizedConvolutionOp: Op {
    let output: Value
    /// The implementation oneDNN chose (e.g. `jit_uni_int8:avx2`).
    private(set) var implementation: String
    /// Per output channel: the weights' quantization multipliers (127 / max |w'|).
    private(set) var weightScales: [Float]

    private let node: Node
    private let source: Value
    private let weight: Tensor
    private let bias: Tensor?
    private let epilogue: ConvolutionEpilogue
    private let inputScale: Float
    private var descriptor: dnnl_convolution_desc_t
    private var primitive: Primitive
    private let quantize: Reorder
    private let quantized: Tensor
    /// The folded weights (plain f32) and bias, before quantization.
    private let folded: Tensor
    private var foldedBias: [Float]
    private let packedWeights: Tensor
    private let packedBias: Tensor
    private let addendCopy: Reorder?
    /// Set if oneDNN refused to re-create the primitive for new weights: every output is
    /// then NaN, which the predictor reports per image, rather than a silently stale answer.
    private var refused = false

    init(node: Node, input: Value, weight: Tensor, bias: Tensor?, outputDims: [Int], epilogue: ConvolutionEpilogue,
         entry: QuantizationTable.Entry) throws {
        let geometry = try ConvolutionGeometry(node: node, input: input.desc.dims, weight: weight.dims, output: outputDims)
        guard entry.inputScale.isFinite, entry.inputScale > 0 else {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "int8: the input scale \(entry.inputScale) must be finite and above 0")
        }
        let channels = outputDims[1]
        let biasDesc = try MemoryDesc.plain([channels])
        var descriptor = try geometry.int8Descriptor(node, source: entry.inputNonNegative ? dnnl_u8 : dnnl_s8, bias: biasDesc,
                                                     destination: epilogue.addend?.desc)
        self.node = node
        self.weight = weight
        self.bias = bias
        self.epilogue = epilogue
        inputScale = entry.inputScale
        weightScales = [Float](repeating: 1, count: channels)
        // Placeholder scales: this first primitive fixes the layouts (and checks that this CPU
        // has an int8 kernel for the convolution); `parametersChanged` makes the real one.
        primitive = try Self.makePrimitive(&descriptor, node: node, epilogue: epilogue, outputScales: weightScales)
        self.descriptor = descriptor
        implementation = primitive.implementation
        let srcDesc = primitive.md(dnnl_query_src_md)
        quantize = try Reorder(from: input.desc, to: srcDesc, scales: [inputScale], mask: 0)
        quantized = try Tensor(srcDesc, zeroed: false)
        folded = try Tensor(weight.desc, zeroed: false)
        foldedBias = [Float](repeating: 0, count: channels)
        packedWeights = try Tensor(primitive.md(dnnl_query_weights_md), zeroed: false)
        packedBias = try Tensor(biasDesc)
        source = input
        let dst = primitive.md(dnnl_query_dst_md)
        (output, addendCopy) = try epilogue.output(dst)
    }

    var inputs: [Value] { [source] + (epilogue.addend.map { [$0] } ?? []) }

    private static func makePrimitive(_ descriptor: inout dnnl_convolution_desc_t, node: Node, epilogue: ConvolutionEpilogue,
                                      outputScales: [Float]) throws -> Primitive {
        let attributes = try PrimitiveAttributes()
        try attributes.setOutputScales(outputScales, mask: 1 << 1)
        if epilogue.addend != nil { try attributes.appendSum() }
        if epilogue.relu { try attributes.appendReLU() }
        return try Primitive(desc: &descriptor, attr: attributes.raw,
                             what: "create int8 convolution \(node.name) (oneDNN may have no int8 kernel for it on this CPU)")
    }

    /// Folds, measures each output channel's range, quantizes the weights and pre-scales the
    /// bias, and creates the primitive with the matching output scales.
    func parametersChanged() {
        foldedBias.withUnsafeMutableBufferPointer { b in
            epilogue.foldParameters(weight: weight, bias: bias, into: folded.floats, biases: b)
        }
        let channels = weightScales.count
        let perChannel = folded.elementCount / max(channels, 1)
        let w = folded.floats
        for c in 0..<channels {
            var m: Float = 0
            for k in c * perChannel..<(c + 1) * perChannel { m = max(m, abs(w[k])) }
            weightScales[c] = m > 0 && m.isFinite ? 127 / m : 1
        }
        do {
            let outputScales = weightScales.map { 1 / (inputScale * $0) }
            let next = try Self.makePrimitive(&descriptor, node: node, epilogue: epilogue, outputScales: outputScales)
            guard next.md(dnnl_query_weights_md) == packedWeights.desc else { refused = true; return }
            try Reorder(from: folded.desc, to: packedWeights.desc, scales: weightScales, mask: 1 << 0).run(folded, packedWeights)
            primitive = next
            implementation = next.implementation
            refused = false
        } catch {
            refused = true
            return
        }
        let b = packedBias.floats
        for c in 0..<channels { b[c] = foldedBias[c] * inputScale * weightScales[c] }
    }

    func forward() {
        guard !refused else { return output.tensor.fill(.nan) }
        quantize.run(source.tensor, quantized)
        if let addendCopy, let addend = epilogue.addend { addendCopy.run(addend.tensor, output.tensor) }
        primitive.execute([(DNNL_ARG_SRC, quantized), (DNNL_ARG_WEIGHTS, packedWeights), (DNNL_ARG_DST, output.tensor),
                           (DNNL_ARG_BIAS, packedBias)])
    }

    /// Inference executors have no backward pass.
    func backward() {}
}
