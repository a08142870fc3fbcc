import CDNNL
import Compute

/// What an inference executor computes inside one convolution primitive, besides the
/// convolution: the BatchNorm that reads its output, folded into its weights and bias;
/// then a residual sum and a ReLU, as oneDNN post-ops. Each part is taken only where the
/// graph lets it be: the node's output has no other reader and is not a head.
struct ConvolutionEpilogue {
    /// A BatchNorm's inference transform, `(x - mean) / sqrt(var + eps) * gamma + beta`,
    /// read from the parameter store when the weights are folded.
    struct FoldedBatchNorm {
        let gamma: Tensor
        let beta: Tensor
        let mean: Tensor
        let variance: Tensor
        let eps: Float
        /// MXNet's `fix_gamma`: the scale is 1 whatever gamma holds.
        let fixGamma: Bool
    }

    var batchNorm: FoldedBatchNorm?
    /// The other input of a residual sum: the convolution adds its result into it.
    var addend: Value?
    /// Whether the sum is written over the addend's own buffer (nothing reads it later).
    var addsInPlace = false
    var relu = false
    /// The node whose output the op produces: the last node taken in.
    var lastNode: Int

    static func plan(_ step: CompileStep, outputDims: [Int]) throws -> ConvolutionEpilogue {
        let compilation = step.compilation
        var epilogue = ConvolutionEpilogue(lastNode: step.index)
        if let (index, folded) = foldableBatchNorm(after: step.index, compilation) {
            compilation.markFused(index)
            epilogue.batchNorm = folded
            epilogue.lastNode = index
        }
        if let relu = step.fuseSoleConsumer(of: epilogue.lastNode, where: { OperatorRegistry.traits(of: $0).rectifier }) {
            epilogue.relu = true
            epilogue.lastNode = relu
            return epilogue
        }
        if let (index, addend, inPlace) = residualSum(after: epilogue.lastNode, convolution: step.index, outputDims: outputDims, compilation) {
            compilation.markFused(index)
            epilogue.addend = addend
            epilogue.addsInPlace = inPlace
            epilogue.lastNode = index
            if let relu = step.fuseSoleConsumer(of: index, where: { OperatorRegistry.traits(of: $0).rectifier }) {
                epilogue.relu = true
                epilogue.lastNode = relu
            }
        }
        return epilogue
    }

    /// The op's output for oneDNN's destination `dst`: the addend's own buffer when the sum
    /// is written over it, else a new value, with the reorder that copies the addend into it
    /// before each pass (a sum post-op adds into what the destination holds).
    func output(_ dst: MemoryDesc) throws -> (value: Value, addendCopy: Reorder?) {
        if let addend, addsInPlace { return (try Value(dst, tensor: addend.tensor), nil) }
        return (try Value(dst), try addend.map { try Reorder(from: $0.desc, to: dst) })
    }

    /// The BatchNorm reading node `producer`'s output, when it is the only reader and its
    /// parameters are in the store.
    private static func foldableBatchNorm(after producer: Int, _ compilation: GraphCompilation) -> (Int, FoldedBatchNorm)? {
        guard let index = compilation.soleConsumer(of: producer) else { return nil }
        let node = compilation.symbol.nodes[index]
        guard BatchNormOperator.names.contains(node.op), node.inputs.count == 5,
              node.inputs[0].node == producer, node.inputs[0].output == 0,
              let attributes = try? BatchNormAttributes(node, rank: 4) else { return nil }
        let names = node.inputs[1...].map { compilation.symbol.nodes[$0.node].name }
        let store = compilation.parameters
        guard let gamma = store.argument(names[0]), let beta = store.argument(names[1]),
              let mean = store.auxiliary(names[2]), let variance = store.auxiliary(names[3]) else { return nil }
        return (index, FoldedBatchNorm(gamma: gamma, beta: beta, mean: mean, variance: variance,
                                       eps: attributes.eps, fixGamma: attributes.fixGamma))
    }

    /// The addition reading node `producer`'s output, when it is the only reader and the
    /// other operand is computed already (it runs earlier), in the layout and type the
    /// convolution writes. In place when nothing reads the other operand after the convolution.
    private static func residualSum(after producer: Int, convolution: Int, outputDims: [Int],
                                    _ compilation: GraphCompilation) -> (Int, Value, Bool)? {
        guard let index = compilation.soleConsumer(of: producer) else { return nil }
        let node = compilation.symbol.nodes[index]
        guard ElementwiseAddOperator.names.contains(node.op), node.inputs.count == 2 else { return nil }
        let ours = node.inputs.map { $0.node == producer && $0.output == 0 }
        guard ours.filter({ $0 }).count == 1, let otherInput = node.inputs.first(where: { !($0.node == producer && $0.output == 0) }) else {
            return nil
        }
        let other = NodeEntry(node: otherInput.node, output: otherInput.output)
        guard let addend = compilation.values[other], addend.desc.dims == outputDims,
              addend.desc.dataType == compilation.convolutionType else { return nil }
        let inPlace = !compilation.preservesValues && !compilation.symbol.nodes[other.node].isVariable && !compilation.isHead(other)
            && compilation.consumers(of: other).allSatisfy { $0 == index || $0 < convolution }
            && !compilation.isShared(addend, besides: other)
        return (index, addend, inPlace)
    }
}

extension ConvolutionEpilogue {
    /// The weights and bias the primitive applies, written into `weights` (plain, as
    /// `weight`) and `biases` (one per output channel): with a BatchNorm folded in,
    /// w' = w * s and b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps); without one,
    /// w and b (0 when the convolution has none).
    func foldParameters(weight: Tensor, bias: Tensor?, into weights: UnsafeMutableBufferPointer<Float>,
                        biases: UnsafeMutableBufferPointer<Float>) {
        let channels = biases.count
        let perChannel = weight.elementCount / max(channels, 1)
        let w = weight.floats, ownBias = bias?.floats
        for c in 0..<channels {
            var scale: Float = 1, shift: Float = ownBias?[c] ?? 0
            if let bn = batchNorm {
                scale = (bn.fixGamma ? 1 : bn.gamma.floats[c]) / (bn.variance.floats[c] + bn.eps).squareRoot()
                shift = (shift - bn.mean.floats[c]) * scale + bn.beta.floats[c]
            }
            for k in c * perChannel..<(c + 1) * perChannel { weights[k] = w[k] * scale }
            biases[c] = shift
        }
    }
}
