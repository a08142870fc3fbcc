import CDNNL
import Compute

/// A convolution in an inference executor, with its epilogue (see `ConvolutionEpilogue`):
/// one oneDNN primitive computes conv + folded BatchNorm, then the residual sum and the
/// ReLU as post-ops. Its weights are kept in the layout the primitive wants, folded and
/// converted once, and again only when the parameter store says they changed.
final class InferenceConvolutionOp: Op {
    let output: Value
    /// The convolution node's name.
    let node: String
    private let src: InputPort
    private let weight: Tensor
    private let bias: Tensor?
    private let epilogue: ConvolutionEpilogue
    private let primitive: Primitive
    /// The weights in the primitive's layout and type, and the bias it adds (plain f32):
    /// made when the store changes, or taken from another executor of the store that made
    /// them for the same layout (`PackedWeightCache`).
    private var packedWeights: Tensor
    private var packedBias: Tensor?
    private let store: ParameterStore
    /// The cache's name for these weights: the node, its weight tensor, and whether a
    /// BatchNorm is folded in.
    private let cacheKey: String
    /// Plain f32 weights scaled by the BatchNorm, before conversion (nil without one).
    private let folded: Tensor?
    private let pack: Reorder
    /// Copies the addend into the output before the sum, when it is not summed in place.
    private let addendCopy: Reorder?

    init(node: Node, input: Value, weight: Tensor, bias: Tensor?, outputDims: [Int], epilogue: ConvolutionEpilogue,
         compute: dnnl_data_type_t, algorithm: ConvolutionAlgorithm, store: ParameterStore) throws {
        let geometry = try ConvolutionGeometry(node: node, input: input.desc.dims, weight: weight.dims, output: outputDims)
        self.node = node.name
        let channels = outputDims[1]
        let hasBias = bias != nil || epilogue.batchNorm != nil
        let biasDesc = hasBias ? try MemoryDesc.plain([channels]) : nil
        let attributes = try PrimitiveAttributes()
        if epilogue.addend != nil { try attributes.appendSum() }
        if epilogue.relu { try attributes.appendReLU() }
        primitive = try InferenceConvolutionPlan.primitive(node: node, geometry: geometry, compute: compute, algorithm: algorithm,
                                                           bias: biasDesc, addend: epilogue.addend?.desc, attributes: attributes)
        self.weight = weight
        self.bias = bias
        self.epilogue = epilogue
        src = try InputPort(input, wants: primitive.md(dnnl_query_src_md))
        self.store = store
        cacheKey = "\(node.name)|\(ObjectIdentifier(weight).hashValue)|\(epilogue.batchNorm == nil ? "plain" : "batchnorm")"
        packedWeights = try Tensor(primitive.md(dnnl_query_weights_md), zeroed: false)
        packedBias = try biasDesc.map { try Tensor($0) }
        folded = try epilogue.batchNorm.map { _ in try Tensor(weight.desc, zeroed: false) }
        pack = try Reorder(from: weight.desc, to: packedWeights.desc)
        let dst = primitive.md(dnnl_query_dst_md)
        (output, addendCopy) = try epilogue.output(dst)
    }

    var inputs: [Value] { [src.value] + (epilogue.addend.map { [$0] } ?? []) }

    /// Folds the BatchNorm into the weights and bias (`ConvolutionEpilogue.foldParameters`),
    /// then converts the weights to the primitive's layout.
    /// Another executor of the store may have made them already, in this layout, for this
    /// generation: then its tensors are taken. Tensors another executor still holds are
    /// never written over: new ones are made (that executor may run on another thread).
    func parametersChanged() {
        let cache = store.packedWeights, generation = store.generation
        if let shared = cache.lookup(cacheKey, desc: packedWeights.desc, generation: generation), (shared.bias == nil) == (packedBias == nil) {
            packedWeights = shared.weights
            packedBias = shared.bias
            return
        }
        // Without memory for a private copy, the shared one is rewritten: still right when
        // the executors of a store run on one thread, as the predictor's and training's do.
        if !isKnownUniquelyReferenced(&packedWeights), let own = try? Tensor(packedWeights.desc, zeroed: false) { packedWeights = own }
        if let desc = packedBias?.desc, !isKnownUniquelyReferenced(&packedBias), let own = try? Tensor(desc, zeroed: false) { packedBias = own }
        defer { cache.store(cacheKey, .init(weights: packedWeights, bias: packedBias), generation: generation) }
        guard let folded, let packedBias else {
            pack.run(weight, packedWeights)
            if let bias, let packedBias { packedBias.floats.update(fromContentsOf: bias.floats.prefix(packedBias.elementCount)) }
            return
        }
        epilogue.foldParameters(weight: weight, bias: bias, into: folded.floats,
                                biases: UnsafeMutableBufferPointer(rebasing: packedBias.floats.prefix(packedBias.elementCount)))
        pack.run(folded, packedWeights)
    }

    func forward() {
        src.stage()
        if let addendCopy, let addend = epilogue.addend { addendCopy.run(addend.tensor, output.tensor) }
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, src.tensor), (DNNL_ARG_WEIGHTS, packedWeights), (DNNL_ARG_DST, output.tensor)]
        if let packedBias { args.append((DNNL_ARG_BIAS, packedBias)) }
        primitive.execute(args)
    }

    /// The weights in the primitive's layout, and every tensor this op holds besides the
    /// store's: those weights and bias (maybe shared with other executors) and its folding scratch.
    var derivedWeights: DerivedWeights? {
        DerivedWeights(node: node, implementation: primitive.implementation, packedWeights: packedWeights,
                       heldTensors: [packedWeights] + (packedBias.map { [$0] } ?? []) + (folded.map { [$0] } ?? []))
    }

    /// Inference executors have no backward pass.
    func backward() {}
}
