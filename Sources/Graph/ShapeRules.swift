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

    static func infer(_ node: Node, inputs: [[Int]?], inputName: (Int) -> String) throws -> Result {
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
            var axis = try node.int("axis", default: 1)
            if axis < 0 { axis += d.count }
            guard d.count >= 2, (0..<d.count).contains(axis) else { throw fail("data shape \(fmt(d)) has no channel axis \(axis)") }
            let c = [d[axis]]
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
            return ([d], [[d[0], d.dropFirst().reduce(1, *)]])

        case "FullyConnected":
            let noBias = try node.bool("no_bias", default: false)
            try count(noBias ? 2...2 : 3...3)
            let d = try data()
            let hidden = try node.int("num_hidden")
            guard hidden > 0 else { throw fail("num_hidden must be positive, is \(hidden)") }
            guard !d.isEmpty else { throw fail("data is a scalar") }
            let flatten = try node.bool("flatten", default: true)
            let (inUnits, out) = flatten
                ? (d.dropFirst().reduce(1, *), [d[0], hidden])
                : (d.last!, Array(d.dropLast()) + [hidden])
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
            let d = try data()
            guard d.count >= 2 else { throw fail("data shape \(fmt(d)) needs a batch and a class axis") }
            var label = Array(d.dropLast())
            if try node.bool("multi_output", default: false) {
                label = [d[0]] + Array(d.dropFirst(2))
            }
            return ([d, label], [d])

        case "LogisticRegressionOutput", "LinearRegressionOutput", "MAERegressionOutput":
            try count(2...2)
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
        let kernel = try node.tuple("kernel")
        let nd = kernel.count
        guard (1...3).contains(nd) else { throw fail("kernel \(fmt(kernel)) must have 1 to 3 dimensions") }
        guard d.count == nd + 2 else { throw fail("data shape \(fmt(d)) does not match a \(nd)-d kernel (expected \(nd + 2) dimensions)") }
        if let layout = node.attrs["layout"], layout != "None", layout != ["NCW", "NCHW", "NCDHW"][nd - 1] {
            throw fail("layout \(layout) is not supported (only channel-first)")
        }
        let stride = try node.tuple("stride", default: []).orOnes(nd)
        let dilate = try node.tuple("dilate", default: []).orOnes(nd)
        let pad = try node.tuple("pad", default: []).orZeros(nd)
        guard stride.count == nd, dilate.count == nd, pad.count == nd else {
            throw fail("kernel, stride, dilate and pad must have the same length (kernel \(fmt(kernel)), stride \(fmt(stride)), dilate \(fmt(dilate)), pad \(fmt(pad)))")
        }
        let filters = try node.int("num_filter")
        let groups = try node.int("num_group", default: 1)
        guard filters > 0, groups > 0, d[1] % groups == 0, filters % groups == 0 else {
            throw fail("num_filter \(filters) and input channels \(d[1]) must be positive multiples of num_group \(groups)")
        }
        var out = [d[0], filters]
        for i in 0..<nd {
            guard kernel[i] > 0, stride[i] > 0, dilate[i] > 0, pad[i] >= 0 else {
                throw fail("kernel, stride and dilate must be positive, pad non-negative")
            }
            let span = dilate[i] * (kernel[i] - 1) + 1
            let padded = d[2 + i] + 2 * pad[i]
            guard padded >= span else {
                throw fail("kernel \(fmt(kernel)) (dilated) is larger than the padded input \(fmt(d))")
            }
            out.append((padded - span) / stride[i] + 1)
        }
        var ins = [d, [filters, d[1] / groups] + kernel]
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
        let kernel = try node.tuple("kernel")
        guard kernel.count == nd else { throw fail("kernel \(fmt(kernel)) does not match data shape \(fmt(d))") }
        let stride = try node.tuple("stride", default: []).orOnes(nd)
        let pad = try node.tuple("pad", default: []).orZeros(nd)
        guard stride.count == nd, pad.count == nd else { throw fail("stride \(fmt(stride)) and pad \(fmt(pad)) must match kernel \(fmt(kernel))") }
        let convention = try node.string("pooling_convention", default: "valid")
        var out = [d[0], d[1]]
        for i in 0..<nd {
            guard kernel[i] > 0, stride[i] > 0, pad[i] >= 0 else { throw fail("kernel and stride must be positive, pad non-negative") }
            let padded = d[2 + i] + 2 * pad[i]
            switch convention {
            case "valid", "full":
                guard padded >= kernel[i] else { throw fail("kernel \(fmt(kernel)) is larger than the padded input \(fmt(d))") }
                let span = padded - kernel[i]
                out.append(convention == "valid" ? span / stride[i] + 1 : (span + stride[i] - 1) / stride[i] + 1)
            case "same":
                out.append((d[2 + i] + stride[i] - 1) / stride[i])
            default:
                throw fail("pooling_convention \(convention) is not supported (valid, full, same)")
            }
        }
        return out
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

private extension Array where Element == Int {
    /// MXNet's defaults for an omitted stride/dilate (ones) or pad (zeros).
    func orOnes(_ n: Int) -> [Int] { isEmpty ? Array(repeating: 1, count: n) : self }
    func orZeros(_ n: Int) -> [Int] { isEmpty ? Array(repeating: 0, count: n) : self }
}
