import CDNNL
import Compute

/// MXNet `BatchNorm`: its attributes, shape rule and compile step (a ReLU that is the
/// output's only reader is fused into the op).
enum BatchNormOperator: OperatorDefinition {
    static let names = ["BatchNorm"]

    /// Training-mode BatchNorm exposes mean and var as extra (hidden) outputs.
    static func outputCount(of node: Node) -> Int { 3 }
    /// moving_mean and moving_var.
    static let auxiliaryInputs = 3..<5

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        try query.expectInputs(5...5)
        let d = try query.data()
        guard d.count >= 2 else { throw query.fail("data shape \(fmt(d)) has no channel axis") }
        _ = try BatchNormAttributes(query.node, rank: d.count)
        let c = [d[1]]
        return ([d, c, c, c, c], [d, c, c])
    }

    static func compile(_ step: CompileStep) throws {
        let input = try step.input(0)
        let attributes = try BatchNormAttributes(step.node, rank: input.desc.dims.count)
        let relu = step.fuseSoleConsumer { OperatorRegistry.traits(of: $0).rectifier }
        let op = try BatchNormOp(node: step.node, attributes: attributes, input: input, gamma: try step.input(1), beta: try step.input(2),
                                 movingMean: try step.input(3).tensor, movingVar: try step.input(4).tensor,
                                 fuseRelu: relu != nil, training: step.training)
        step.emit(op, producing: relu)
    }
}

/// A BatchNorm node's attributes, read and range-checked once.
struct BatchNormAttributes {
    var eps: Float
    var momentum: Float
    var fixGamma: Bool
    var useGlobalStats: Bool

    /// MXNet's epsilon is positive; a few units of float32 precision up to a large variance floor.
    static let epsRange: ClosedRange<Float> = 0...1e6

    init(_ node: Node, rank: Int) throws {
        eps = try node.float("eps", default: 1e-3, in: BatchNormAttributes.epsRange)
        momentum = try node.float("momentum", default: 0.9, in: 0...1)
        try BatchNormAttributes.checkChannelAxis(node, rank: rank)
        fixGamma = try node.bool("fix_gamma", default: true)
        useGlobalStats = try node.bool("use_global_stats", default: false)
    }

    /// The normalised axis must be the channel axis: 1 (NCHW's C, or the C of an [N, C]
    /// input), also written as a negative index that names it (-3 for 4-D data, -1 for
    /// 2-D). oneDNN normalises over axis 1 only, so any other axis would silently compute
    /// something else; it is refused instead.
    static func checkChannelAxis(_ node: Node, rank: Int) throws {
        let axis = try node.int("axis", default: 1, in: -max(rank, 1)...max(rank - 1, 0))
        let normalised = axis < 0 ? axis + rank : axis
        guard normalised == 1 else {
            throw GraphError.badAttr(node: node.name, op: node.op, attr: "axis", value: node.attrs["axis"] ?? "\(axis)",
                                     expected: "the channel axis: 1\(rank > 1 ? " (or \(1 - rank))" : "") for data of rank \(rank); other axes are not supported")
        }
    }
}

/// BatchNorm on oneDNN, optionally fused with the ReLU that follows it.
///
/// Training normalises with the batch mean and biased variance; the backward pass then
/// updates the moving statistics the way MXNet 1.x does (`new = m * old + (1 - m) * batch`).
/// With `fix_gamma` the scale is 1 and its gradient is zero.
final class BatchNormOp: Op {
    let output: Value
    private let input: Value
    private let gamma: Value
    private let beta: Value
    private let movingMean: Tensor
    private let movingVar: Tensor
    private let fixGamma: Bool
    private let momentum: Float
    private let training: Bool
    private let forwardPrim: Primitive
    private var backwardPrim: Primitive?
    private var batchMean: Tensor?
    private var batchVar: Tensor?
    private var workspace: Tensor?
    private var recomputePrim: Primitive?

    init(node: Node, attributes: BatchNormAttributes, input: Value, gamma: Value, beta: Value, movingMean: Tensor, movingVar: Tensor,
         fuseRelu: Bool, training: Bool) throws {
        let eps = attributes.eps
        momentum = attributes.momentum
        fixGamma = attributes.fixGamma
        let useGlobal = attributes.useGlobalStats
        self.input = input
        self.gamma = gamma
        self.beta = beta
        self.movingMean = movingMean
        self.movingVar = movingVar
        self.training = training && !useGlobal

        var flags = dnnl_use_shift.rawValue
        if !fixGamma { flags |= dnnl_use_scale.rawValue }
        if fuseRelu { flags |= dnnl_fuse_norm_relu.rawValue }
        if !self.training { flags |= dnnl_use_global_stats.rawValue }
        var data = input.desc.raw
        var desc = dnnl_batch_normalization_desc_t()
        let prop = training ? dnnl_forward_training : dnnl_forward_inference
        try check(dnnl_batch_normalization_forward_desc_init(&desc, prop, &data, eps, flags), "describe batch norm \(node.name)")
        forwardPrim = try Primitive(desc: &desc, what: "create batch norm \(node.name)")
        // A training output that may be recomputed moves to a shared buffer: don't touch its pages.
        let dst = forwardPrim.md(dnnl_query_dst_md)
        output = try Value(dst, tensor: Tensor(dst, zeroed: !(fuseRelu && training)))

        guard training else { return }
        let channels = input.desc.dims[1]
        if self.training {
            batchMean = try Tensor(plain: [channels])
            batchVar = try Tensor(plain: [channels])
        }
        if let ws = forwardPrim.workspace { workspace = try Tensor(ws) }
        var bd = dnnl_batch_normalization_desc_t()
        var diff = input.desc.raw
        var data2 = input.desc.raw
        try check(dnnl_batch_normalization_backward_desc_init(&bd, dnnl_backward, &diff, &data2, eps, flags),
                  "describe batch norm backward \(node.name)")
        backwardPrim = try Primitive(desc: &bd, hint: forwardPrim, what: "create batch norm backward \(node.name)")

        if fuseRelu && self.training {
            // The same normalisation from the saved batch statistics: lets the executor
            // drop this output after the forward pass and rebuild it for the backward pass.
            var rd = dnnl_batch_normalization_desc_t()
            var data3 = input.desc.raw
            let rflags = flags | dnnl_use_global_stats.rawValue
            try check(dnnl_batch_normalization_forward_desc_init(&rd, dnnl_forward_inference, &data3, eps, rflags),
                      "describe batch norm recomputation \(node.name)")
            recomputePrim = try Primitive(desc: &rd, what: "create batch norm recomputation \(node.name)")
        }
    }

    /// Training with a fused ReLU: the output can be rebuilt from the saved batch statistics.
    var recomputation: ((Tensor) -> Void)? {
        guard recomputePrim != nil else { return nil }
        return { [unowned self] destination in self.recompute(into: destination) }
    }

    /// Rebuilds this op's forward output into `destination` from the saved batch statistics.
    func recompute(into destination: Tensor) {
        guard let recomputePrim, let batchMean, let batchVar else { return }
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_DST, destination), (DNNL_ARG_SHIFT, beta.tensor),
                                       (DNNL_ARG_MEAN, batchMean), (DNNL_ARG_VARIANCE, batchVar)]
        if !fixGamma { args.append((DNNL_ARG_SCALE, gamma.tensor)) }
        recomputePrim.execute(args)
    }

    var inputs: [Value] { [input, gamma, beta] }

    func forward() {
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_DST, output.tensor), (DNNL_ARG_SHIFT, beta.tensor)]
        if !fixGamma { args.append((DNNL_ARG_SCALE, gamma.tensor)) }
        if training, let batchMean, let batchVar {
            args += [(DNNL_ARG_MEAN, batchMean), (DNNL_ARG_VARIANCE, batchVar)]
        } else {
            args += [(DNNL_ARG_MEAN, movingMean), (DNNL_ARG_VARIANCE, movingVar)]
        }
        if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
        forwardPrim.execute(args)
    }

    func backward() {
        guard let backwardPrim, output.hasGradient else { return }
        let mean = batchMean ?? movingMean, variance = batchVar ?? movingVar
        let diffSrc = input.gradientDestination()
        let diffShift = beta.gradientDestination()
        var args: [(Int32, Tensor)] = [(DNNL_ARG_SRC, input.tensor), (DNNL_ARG_DIFF_DST, output.gradient),
                                       (DNNL_ARG_MEAN, mean), (DNNL_ARG_VARIANCE, variance),
                                       (DNNL_ARG_DIFF_SRC, diffSrc), (DNNL_ARG_DIFF_SHIFT, diffShift),
                                       (DNNL_ARG_SHIFT, beta.tensor)]
        let diffScale = gamma.gradientDestination()
        if fixGamma {
            diffScale.fill(0)
        } else {
            args += [(DNNL_ARG_SCALE, gamma.tensor), (DNNL_ARG_DIFF_SCALE, diffScale)]
        }
        if let workspace { args.append((DNNL_ARG_WORKSPACE, workspace)) }
        backwardPrim.execute(args)
        input.gradientDelivered(diffSrc)
        beta.gradientDelivered(diffShift)
        gamma.gradientDelivered(diffScale)
        if training { updateMovingStatistics() }
    }

    /// MXNet 1.x folds the batch statistics into the moving ones during the backward pass.
    private func updateMovingStatistics() {
        guard let batchMean, let batchVar else { return }
        let m = momentum, n = 1 - momentum
        let mm = movingMean.floats, mv = movingVar.floats
        let bm = batchMean.floats, bv = batchVar.floats
        for c in 0..<min(movingMean.elementCount, batchMean.elementCount) {
            mm[c] = m * mm[c] + n * bm[c]
            mv[c] = m * mv[c] + n * bv[c]
        }
    }
}

extension BatchNormOperator {
    /// BatchNormalization with the moving statistics (inference). With `fix_gamma` (MXNet's
    /// default) MXNet ignores the stored gamma and scales by 1, so the scale is a tensor of ones.
    static let onnx = ONNXLoweringRule.lowered { query in
        let node = query.node
        try query.expectInputs(5)
        let d = try query.shape(0)
        guard d.count >= 2 else { throw query.fail("data shape \(bracketed(d)) has no channel axis") }
        let axis = try node.int("axis", default: 1, in: -d.count...(d.count - 1))
        guard (axis < 0 ? axis + d.count : axis) == 1 else {
            throw query.fail("axis \(axis) is not the channel axis (1); only channel-first BatchNorm is exported")
        }
        let eps = try node.float("eps", default: 1e-3, in: BatchNormAttributes.epsRange)
        let scale: ONNXInputDescription = try node.bool("fix_gamma", default: true)
            ? .constant(preferredName: query.inputName(1), shape: [d[1]], values: Array(repeating: 1, count: d[1]))
            : .input(1)
        return .nodes([ONNXNodeDescription("BatchNormalization", inputs: [.input(0), scale, .input(2), .input(3), .input(4)],
                                           attributes: [.float("epsilon", eps)])])
    }
}
