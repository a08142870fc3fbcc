import Graph

/// How each MXNet operator becomes ONNX (opset 17) nodes, computing in inference what our
/// executor (and MXNet 1.9) computes. Attributes are read with Graph's typed readers, so a
/// malformed value is refused with the same message the executor gives.
enum OpMapping {
    /// Every MXNet operator name the export maps, aliases included.
    static let supportedNames = [
        "Convolution", "BatchNorm", "Activation", "Pooling", "FullyConnected", "Flatten", "flatten",
        "elemwise_add", "_Plus", "_plus", "broadcast_add", "_copy", "identity", "Dropout",
        "SoftmaxOutput", "LogisticRegressionOutput",
    ]

    /// The mapping of the operator MXNet calls `op`, nil when there is none.
    static func mapping(for op: String) -> ((GraphWalk) throws -> Void)? {
        switch op {
        case "Convolution": return convolution
        case "BatchNorm": return batchNorm
        case "Activation": return activation
        case "Pooling": return pooling
        case "FullyConnected": return fullyConnected
        case "Flatten", "flatten": return flatten
        case "elemwise_add", "_Plus", "_plus", "broadcast_add": return add
        case "_copy", "identity": return identity
        case "Dropout": return dropout
        case "SoftmaxOutput": return { w in try lossHead(w, onnx: "Softmax", attributes: [Proto.int("axis", 1)]) }
        case "LogisticRegressionOutput": return { w in try lossHead(w, onnx: "Sigmoid", attributes: []) }
        default: return nil
        }
    }

    // MARK: - Operators

    /// Conv with MXNet's symmetric padding, strides, dilations and groups.
    static func convolution(_ w: GraphWalk) throws {
        let node = w.node
        let noBias = try node.bool("no_bias", default: false)
        try w.expectInputs(noBias ? 2 : 3)
        let d = try w.inputShape(0)
        let axes = d.count - 2
        guard (1...3).contains(axes) else { throw w.fail("data shape \(ONNXExportError.format(d)) must have 1 to 3 spatial axes") }
        try requireChannelFirst(w, axes: axes)
        let window = try Window(w.node, axes: axes, dilation: true)
        let groups = try node.int("num_group", default: 1, in: 1...Int(Int32.max))
        var inputs = [try w.input(0), try w.input(1)]
        if !noBias { inputs.append(try w.input(2)) }
        w.emit("Conv", inputs: inputs, attributes: [
            Proto.ints("kernel_shape", window.kernel), Proto.ints("strides", window.stride),
            Proto.ints("dilations", window.dilate), Proto.ints("pads", window.pad + window.pad),
            Proto.int("group", groups),
        ])
    }

    /// BatchNormalization with the moving statistics (inference). With `fix_gamma` (MXNet's
    /// default) MXNet ignores the stored gamma and scales by 1, so the scale is a tensor of ones.
    static func batchNorm(_ w: GraphWalk) throws {
        let node = w.node
        try w.expectInputs(5)
        let d = try w.inputShape(0)
        guard d.count >= 2 else { throw w.fail("data shape \(ONNXExportError.format(d)) has no channel axis") }
        let axis = try node.int("axis", default: 1, in: -d.count...(d.count - 1))
        guard (axis < 0 ? axis + d.count : axis) == 1 else {
            throw w.fail("axis \(axis) is not the channel axis (1); only channel-first BatchNorm is exported")
        }
        let eps = try node.float("eps", default: 1e-3, in: 0...1e6)
        let scale = try node.bool("fix_gamma", default: true)
            ? w.constant(w.symbol.nodes[node.inputs[1].node].name, shape: [d[1]], values: Array(repeating: 1, count: d[1]))
            : try w.input(1)
        w.emit("BatchNormalization", inputs: [try w.input(0), scale, try w.input(2), try w.input(3), try w.input(4)],
               attributes: [Proto.float("epsilon", eps)])
    }

    static func activation(_ w: GraphWalk) throws {
        try w.expectInputs(1)
        let kind = try w.node.string("act_type")
        let onnx: String
        switch kind {
        case "relu": onnx = "Relu"
        case "sigmoid": onnx = "Sigmoid"
        case "tanh": onnx = "Tanh"
        case "softrelu": onnx = "Softplus"
        default: throw w.fail("act_type \(kind) is not supported (relu, sigmoid, tanh or softrelu)")
        }
        w.emit(onnx, inputs: [try w.input(0)])
    }

    /// MaxPool / AveragePool over 2-D data, or their global forms. The padding is written
    /// out exactly: MXNet's "full" convention (ceil) becomes the extra end padding that
    /// gives MXNet's output size with ceil_mode 0, which is how our executor runs it; ONNX's
    /// own ceil_mode would drop a last window starting in the padding and count an average's
    /// window differently there.
    static func pooling(_ w: GraphWalk) throws {
        let node = w.node
        try w.expectInputs(1)
        let d = try w.inputShape(0)
        guard d.count == 4 else { throw w.fail("only 2-D pooling is supported (data \(ONNXExportError.format(d)))") }
        try requireChannelFirst(w, axes: 2)
        let type = try node.string("pool_type", default: "max")
        guard type == "max" || type == "avg" else { throw w.fail("pool_type \(type) is not supported (max or avg)") }
        let convention = try node.string("pooling_convention", default: "valid")
        guard convention == "valid" || convention == "full" else {
            throw w.fail("pooling_convention \(convention) is not supported (valid or full)")
        }
        let x = try w.input(0)
        if try node.bool("global_pool", default: false) {
            w.emit(type == "max" ? "GlobalMaxPool" : "GlobalAveragePool", inputs: [x])
            return
        }
        let window = try Window(w.node, axes: 2, dilation: false)
        var end: [Int] = []
        for i in 0..<2 {
            let room = d[2 + i] + 2 * window.pad[i] - window.kernel[i]
            guard room >= 0 else {
                throw w.fail("kernel \(ONNXExportError.format(window.kernel)) is larger than the padded input \(ONNXExportError.format(d))")
            }
            let stride = window.stride[i]
            let out = (convention == "full" ? (room + stride - 1) / stride : room / stride) + 1
            end.append(max(window.pad[i], (out - 1) * stride + window.kernel[i] - d[2 + i] - window.pad[i]))
        }
        var attributes = [Proto.ints("kernel_shape", window.kernel), Proto.ints("strides", window.stride),
                          Proto.ints("pads", window.pad + end), Proto.int("ceil_mode", 0)]
        if type == "avg" {
            attributes.append(Proto.int("count_include_pad", try node.bool("count_include_pad", default: true) ? 1 : 0))
        }
        w.emit(type == "max" ? "MaxPool" : "AveragePool", inputs: [x], attributes: attributes)
    }

    /// Gemm with MXNet's [num_hidden, K] weight (transB 1), after a Flatten for data of rank > 2.
    static func fullyConnected(_ w: GraphWalk) throws {
        let node = w.node
        let noBias = try node.bool("no_bias", default: false)
        try w.expectInputs(noBias ? 2 : 3)
        let d = try w.inputShape(0)
        var x = try w.input(0)
        if d.count != 2 {
            guard try node.bool("flatten", default: true) else {
                throw w.fail("flatten=False on data of shape \(ONNXExportError.format(d)) is not supported (only on [batch, features] data)")
            }
            x = w.emitIntermediate("Flatten", suffix: "_flatten", inputs: [x], attributes: [Proto.int("axis", 1)])
        }
        var inputs = [x, try w.input(1)]
        if !noBias { inputs.append(try w.input(2)) }
        w.emit("Gemm", inputs: inputs, attributes: [Proto.float("alpha", 1), Proto.float("beta", 1), Proto.int("transB", 1)])
    }

    static func flatten(_ w: GraphWalk) throws {
        try w.expectInputs(1)
        w.emit("Flatten", inputs: [try w.input(0)], attributes: [Proto.int("axis", 1)])
    }

    /// The residual sum (shape inference has checked the shapes are equal).
    static func add(_ w: GraphWalk) throws {
        try w.expectInputs(2)
        w.emit("Add", inputs: [try w.input(0), try w.input(1)])
    }

    static func identity(_ w: GraphWalk) throws {
        try w.expectInputs(1)
        w.alias(try w.input(0))
    }

    /// Dropout passes its input through at inference, unless `mode=always` asks it to drop
    /// then too, which no deterministic graph reproduces.
    static func dropout(_ w: GraphWalk) throws {
        try w.expectInputs(1)
        let mode = try w.node.string("mode", default: "training")
        let p = try w.node.float("p", default: 0.5, in: 0...1)
        guard mode == "training" || p == 0 else {
            throw w.fail("mode=\(mode) with p=\(p) drops values at inference too; only mode=training (the default) is exported")
        }
        w.alias(try w.input(0))
    }

    /// SoftmaxOutput / LogisticRegressionOutput at inference: the probabilities of the
    /// [batch, classes] scores (the label input is not read).
    static func lossHead(_ w: GraphWalk, onnx: String, attributes: [Onnx_AttributeProto]) throws {
        try w.expectInputs(2)
        let d = try w.inputShape(0)
        guard d.count == 2 else { throw w.fail("data shape \(ONNXExportError.format(d)) must be [batch, classes]") }
        w.emit(onnx, inputs: [try w.input(0)], attributes: attributes)
    }

    // MARK: - Shared attribute readers

    /// Refuses a `layout` other than channel-first (NCW, NCHW, NCDHW).
    static func requireChannelFirst(_ w: GraphWalk, axes: Int) throws {
        if let layout = w.node.attrs["layout"], layout != "None", layout != ["NCW", "NCHW", "NCDHW"][axes - 1] {
            throw w.fail("layout \(layout) is not supported (only channel-first)")
        }
    }
}
