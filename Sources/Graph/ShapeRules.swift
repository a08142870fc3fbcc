import Foundation

/// Per-operator shape rules. Each rule gets the shapes known so far for a node's inputs
/// (nil for variables not yet determined) and returns the shape every input must have
/// and the shape of every output, following MXNet 1.9's formulas.
enum ShapeRules {
    static let supportedOps = [
        "null", "_copy", "identity", "BatchNorm", "Convolution", "Activation", "Pooling", "Flatten",
        "FullyConnected", "elemwise_add", "_Plus", "_plus", "broadcast_add", "SoftmaxOutput",
        "LogisticRegressionOutput",
    ]

    typealias Result = (inputs: [[Int]], outputs: [[Int]])

    /// Range of `num_filter`, `num_hidden` and `num_group`: sizes beyond it are refused
    /// here; sizes within it are bounded further by the executor's memory limits.
    static let unitRange = 1...Int(Int32.max)

    /// `isVariable(k)`: whether input k is a variable (argument) rather than an op output.
    static func infer(_ node: Node, inputs: [[Int]?], inputName: (Int) -> String,
                      isVariable: (Int) -> Bool) throws -> Result {
        func fail(_ detail: String) -> GraphError { .invalidShape(node: node.name, op: node.op, detail: detail) }
        func count(_ allowed: ClosedRange<Int>) throws {
            guard allowed.contains(inputs.count) else {
                throw GraphError.wrongInputCount(node: node.name, op: node.op,
                                                 expected: allowed.count == 1 ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)",
                                                 found: inputs.count)
            }
        }
        /// The shape of input k, which must already be known (it is the data flowing in).
        func data(_ k: Int = 0) throws -> [Int] {
            guard let s = inputs[k] else { throw GraphError.missingInputShape(array: inputName(k), node: node.name) }
            return s
        }

        switch node.op {
        case "_copy", "identity", "Activation":
            try count(1...1)
            if node.op == "Activation" { _ = try node.string("act_type") }
            let d = try data()
            return ([d], [d])

        case "BatchNorm":
            try count(5...5)
            let d = try data()
            guard d.count >= 2 else { throw fail("data shape \(fmt(d)) has no channel axis") }
            let c = [d[try BatchNormOp.channelAxis(node, rank: d.count)]]
            return ([d, c, c, c, c], [d, c, c])

        case "Convolution":
            let noBias = try node.bool("no_bias", default: false)
            try count(noBias ? 2...2 : 3...3)
            return try convolution(node, data: try data(), noBias: noBias, fail: fail)

        case "Pooling":
            try count(1...1)
            let out = try pooling(node, data: try data(), fail: fail)
            return ([try data()], Symbol.outputCount(of: node) == 2 ? [out, out] : [out])

        case "Flatten":
            try count(1...1)
            let d = try data()
            guard !d.isEmpty else { throw fail("cannot flatten a scalar") }
            guard let rest = ShapeMath.product(d.dropFirst()) else { throw fail("flattening \(fmt(d)) overflows") }
            return ([d], [[d[0], rest]])

        case "FullyConnected":
            let noBias = try node.bool("no_bias", default: false)
            try count(noBias ? 2...2 : 3...3)
            let d = try data()
            let hidden = try node.int("num_hidden", in: ShapeRules.unitRange)
            guard let last = d.last, let inputUnits = ShapeMath.product(d.dropFirst()) else {
                throw fail("data shape \(fmt(d)) cannot feed a fully connected layer")
            }
            let flatten = try node.bool("flatten", default: true)
            let (inUnits, out) = flatten
                ? (inputUnits, [d[0], hidden])
                : (last, Array(d.dropLast()) + [hidden])
            var ins = [d, [hidden, inUnits]]
            if !noBias { ins.append([hidden]) }
            return (ins, [out])

        case "elemwise_add", "_Plus", "_plus", "broadcast_add":
            try count(2...2)
            guard let s = inputs[0] ?? inputs[1] else { throw GraphError.missingInputShape(array: inputName(0), node: node.name) }
            if node.op == "broadcast_add", let a = inputs[0], let b = inputs[1], a != b {
                return ([a, b], [try broadcast(a, b, fail: fail)])
            }
            return ([s, s], [s])

        case "SoftmaxOutput":
            try count(2...2)
            try lossInputs(node, isVariable: isVariable, fail: fail)
            let d = try data()
            guard d.count >= 2 else { throw fail("data shape \(fmt(d)) needs a batch and a class axis") }
            var label = Array(d.dropLast())
            if try node.bool("multi_output", default: false) {
                label = [d[0]] + Array(d.dropFirst(2))
            }
            return ([d, label], [d])

        case "LogisticRegressionOutput", "LinearRegressionOutput", "MAERegressionOutput":
            try count(2...2)
            try lossInputs(node, isVariable: isVariable, fail: fail)
            let d = try data()
            // MXNet accepts a [N] label for [N, 1] outputs; keep whatever was given in that case.
            if d.count == 2, d[1] == 1, let l = inputs[1], l == [d[0]] { return ([d, l], [d]) }
            return ([d, d], [d])

        default:
            throw GraphError.unknownOp(node: node.name, op: node.op)
        }
    }

    /// MXNet's output size: floor((x + 2p - (d(k-1)+1)) / s) + 1.
    static func convolution(_ node: Node, data d: [Int], noBias: Bool, fail: (String) -> GraphError) throws -> Result {
        let nd = d.count - 2
        guard (1...3).contains(nd) else { throw fail("data shape \(fmt(d)) must have 1 to 3 spatial axes after batch and channel") }
        if let layout = node.attrs["layout"], layout != "None", layout != ["NCW", "NCHW", "NCDHW"][nd - 1] {
            throw fail("layout \(layout) is not supported (only channel-first)")
        }
        let window = try Window(node, axes: nd, dilation: true)
        let filters = try node.int("num_filter", in: unitRange)
        let groups = try node.int("num_group", default: 1, in: unitRange)
        guard d[1] % groups == 0, filters % groups == 0 else {
            throw fail("num_filter \(filters) and input channels \(d[1]) must be multiples of num_group \(groups)")
        }
        var out = [d[0], filters]
        for i in 0..<nd {
            guard let size = window.outputSize(i, input: d[2 + i]) else {
                throw fail("kernel \(fmt(window.kernel)) (dilated) is larger than the padded input \(fmt(d))")
            }
            out.append(size)
        }
        var ins = [d, [filters, d[1] / groups] + window.kernel]
        if !noBias { ins.append([filters]) }
        return (ins, [out])
    }

    /// MXNet's pooling size: "valid" floors, "full" ceils, "same" is ceil(x / s); global pooling gives 1.
    static func pooling(_ node: Node, data d: [Int], fail: (String) -> GraphError) throws -> [Int] {
        guard d.count >= 3 else { throw fail("data shape \(fmt(d)) needs batch, channel and spatial axes") }
        let nd = d.count - 2
        let poolType = try node.string("pool_type", default: "max")
        guard ["max", "avg", "sum"].contains(poolType) else { throw fail("pool_type \(poolType) is not supported (max, avg, sum)") }
        if try node.bool("global_pool", default: false) { return [d[0], d[1]] + Array(repeating: 1, count: nd) }
        let convention = try node.string("pooling_convention", default: "valid")
        let window = try Window(node, axes: nd, dilation: false)
        var out = [d[0], d[1]]
        for i in 0..<nd {
            switch convention {
            case "valid", "full":
                guard let size = window.outputSize(i, input: d[2 + i], ceil: convention == "full") else {
                    throw fail("kernel \(fmt(window.kernel)) is larger than the padded input \(fmt(d))")
                }
                out.append(size)
            case "same":
                out.append((d[2 + i] + window.stride[i] - 1) / window.stride[i])
            default:
                throw fail("pooling_convention \(convention) is not supported (valid, full, same)")
            }
        }
        return out
    }

    /// A loss head reads the scores of the layer below and a label variable: scores that
    /// come straight from a variable, or a label computed by an op, are not a loss head.
    static func lossInputs(_ node: Node, isVariable: (Int) -> Bool, fail: (String) -> GraphError) throws {
        guard !isVariable(0) else { throw fail("input 0 (the scores) is a variable; a loss head must follow an operator such as FullyConnected") }
        guard isVariable(1) else { throw fail("input 1 (the label) is the output of an operator; it must be a label variable") }
    }

    /// NumPy broadcasting of two shapes.
    static func broadcast(_ a: [Int], _ b: [Int], fail: (String) -> GraphError) throws -> [Int] {
        let n = max(a.count, b.count)
        let pa = Array(repeating: 1, count: n - a.count) + a, pb = Array(repeating: 1, count: n - b.count) + b
        return try zip(pa, pb).map { x, y in
            guard x == y || x == 1 || y == 1 else { throw fail("shapes \(fmt(a)) and \(fmt(b)) cannot be broadcast") }
            return max(x, y)
        }
    }
}

