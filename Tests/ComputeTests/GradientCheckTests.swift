import Foundation
import Graph
import Testing
import Training

/// Every op's backward pass against central finite differences of the loss.
///
/// Each case is `data -> ops under test -> Flatten -> LogisticRegressionOutput` (with
/// `grad_scale` = outputs per sample, so the head's gradient is exactly `p - y`, the
/// derivative of the summed binary cross-entropy), or a SoftmaxOutput head whose
/// gradient `p - onehot` is the derivative of the summed cross-entropy.
@Suite(.serialized)
struct GradientCheckTests {
    typealias Body = (inout GraphBuilder, NodeEntry) -> NodeEntry

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let dataShape: [Int]
        let softmax: Bool
        let body: @Sendable (inout GraphBuilder, NodeEntry) -> NodeEntry
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "conv 3x3 s1 p1 + bias", dataShape: [2, 3, 6, 6], softmax: false) { g, x in
            g.convolution(x, name: "c", attrs: ["kernel": "(3, 3)", "stride": "(1, 1)", "pad": "(1, 1)", "num_filter": "4"])
        },
        Case(name: "conv 3x3 s2 p1 no bias", dataShape: [2, 4, 7, 7], softmax: false) { g, x in
            g.convolution(x, name: "c", attrs: ["kernel": "(3, 3)", "stride": "(2, 2)", "pad": "(1, 1)", "num_filter": "5", "no_bias": "True"])
        },
        Case(name: "conv 1x1 s2 projection", dataShape: [2, 4, 6, 6], softmax: false) { g, x in
            g.convolution(x, name: "c", attrs: ["kernel": "(1, 1)", "stride": "(2, 2)", "num_filter": "3", "no_bias": "True"])
        },
        Case(name: "conv 7x7 s2 p3 stem", dataShape: [2, 3, 9, 9], softmax: false) { g, x in
            g.convolution(x, name: "c", attrs: ["kernel": "(7, 7)", "stride": "(2, 2)", "pad": "(3, 3)", "num_filter": "4", "no_bias": "True"])
        },
        Case(name: "conv 16->32 3x3 (blocked layouts)", dataShape: [2, 16, 5, 5], softmax: false) { g, x in
            g.convolution(x, name: "c", attrs: ["kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "32", "no_bias": "True"])
        },
        Case(name: "batch norm", dataShape: [4, 3, 3, 3], softmax: false) { g, x in
            g.batchNorm(x, name: "bn", attrs: ["eps": "2e-05", "momentum": "0.9", "fix_gamma": "False"])
        },
        Case(name: "batch norm fix_gamma", dataShape: [4, 3, 3, 3], softmax: false) { g, x in
            g.batchNorm(x, name: "bn", attrs: ["eps": "2e-05", "momentum": "0.9", "fix_gamma": "True"])
        },
        Case(name: "batch norm + relu (fused)", dataShape: [4, 3, 3, 3], softmax: false) { g, x in
            let b = g.batchNorm(x, name: "bn", attrs: ["eps": "2e-05", "momentum": "0.9", "fix_gamma": "False"])
            return g.activation(b, name: "r")
        },
        Case(name: "relu", dataShape: [2, 3, 4, 4], softmax: false) { g, x in g.activation(x, name: "r") },
        Case(name: "sigmoid", dataShape: [2, 3, 4, 4], softmax: false) { g, x in g.activation(x, name: "s", actType: "sigmoid") },
        Case(name: "max pool 3x3 s2 p1", dataShape: [2, 3, 7, 7], softmax: false) { g, x in
            g.op("Pooling", name: "p", attrs: ["kernel": "(3, 3)", "stride": "(2, 2)", "pad": "(1, 1)", "pool_type": "max"], inputs: [x])
        },
        Case(name: "avg pool 2x2 s2", dataShape: [2, 3, 6, 6], softmax: false) { g, x in
            g.op("Pooling", name: "p", attrs: ["kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "avg"], inputs: [x])
        },
        Case(name: "global avg pool", dataShape: [2, 4, 5, 5], softmax: false) { g, x in
            g.op("Pooling", name: "p", attrs: ["kernel": "(7, 7)", "global_pool": "True", "pool_type": "avg"], inputs: [x])
        },
        Case(name: "fully connected on 4-D input", dataShape: [3, 2, 3, 3], softmax: false) { g, x in
            g.fullyConnected(x, name: "fc", attrs: ["num_hidden": "5"])
        },
        Case(name: "identity + add, one value feeding three consumers", dataShape: [2, 4, 5, 5], softmax: false) { g, x in
            let c = g.op("_copy", name: "id", inputs: [x])
            let a = g.convolution(c, name: "a", attrs: ["kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "4", "no_bias": "True"])
            let b = g.convolution(c, name: "b", attrs: ["kernel": "(1, 1)", "num_filter": "4", "no_bias": "True"])
            return g.add(g.add(a, b), c)
        },
        Case(name: "pre-activation residual unit", dataShape: [2, 16, 6, 6], softmax: false) { g, x in
            let bn = g.batchNorm(x, name: "u_bn1", attrs: ["eps": "2e-05", "momentum": "0.9", "fix_gamma": "False"])
            let r = g.activation(bn, name: "u_relu1")
            let c1 = g.convolution(r, name: "u_conv1", attrs: ["kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "16", "no_bias": "True"])
            let sc = g.convolution(r, name: "u_sc", attrs: ["kernel": "(1, 1)", "num_filter": "16", "no_bias": "True"])
            return g.add(c1, sc)
        },
        Case(name: "two residual units: one shared gradient buffer", dataShape: [2, 8, 5, 5], softmax: false) { g, x in
            var y = g.convolution(x, name: "stem", attrs: ["kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "8", "no_bias": "True"])
            for unit in 1...2 {
                let bn = g.batchNorm(y, name: "u\(unit)_bn", attrs: ["eps": "2e-05", "momentum": "0.9", "fix_gamma": "False"])
                let r = g.activation(bn, name: "u\(unit)_relu")
                let c = g.convolution(r, name: "u\(unit)_conv", attrs: ["kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "8", "no_bias": "True"])
                y = g.add(c, y)
            }
            return y
        },
        // `a` is read again after `b` is made: sharing the sum's buffer with both would add
        // conv t's gradient for `a` over `b`'s before b's producer reads it.
        Case(name: "sum whose input has a later consumer", dataShape: [2, 4, 5, 5], softmax: false) { g, x in
            let b = g.convolution(x, name: "b", attrs: ["kernel": "(1, 1)", "num_filter": "4", "no_bias": "True"])
            let a = g.convolution(x, name: "a", attrs: ["kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "4", "no_bias": "True"])
            let t = g.convolution(a, name: "t", attrs: ["kernel": "(1, 1)", "num_filter": "4", "no_bias": "True"])
            return g.add(g.add(a, b), g.activation(t, name: "tr", actType: "sigmoid"))
        },
        Case(name: "softmax output", dataShape: [3, 2, 2, 2], softmax: true) { g, x in
            g.fullyConnected(x, name: "fc", attrs: ["num_hidden": "4"])
        },
    ]

    @Test(arguments: cases)
    func backwardMatchesFiniteDifferences(_ c: Case) throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let body = c.body(&g, x)
        let head: NodeEntry
        if c.softmax {
            head = g.output("SoftmaxOutput", body, name: "out")
        } else {
            let flat = g.op("Flatten", name: "flat", inputs: [body])
            head = g.output("LogisticRegressionOutput", flat, name: "out")
        }
        var symbol = g.symbol(heads: [head])
        let shapes = try symbol.inferShapes(inputs: ["data": c.dataShape])
        let perSample = shapes.headShapes(of: symbol)[0].dropFirst().reduce(1, *)
        if !c.softmax {
            // Make the head's gradient p - y (MXNet divides by outputs per sample otherwise).
            symbol.nodes[head.node].attrs["grad_scale"] = String(perSample)
        }

        let store = ParameterStore()
        let exec = try Executor(symbol: symbol, parameters: store, dataShape: c.dataShape, mode: .training)
        var rng = SeededGenerator(seed: 7)
        for name in store.argumentNames {
            let t = store.argument(name)!
            let v = t.floats
            // Weights scaled by fan-in keep the head's inputs O(1): a saturated sigmoid
            // (p rounding to 1) would make the finite-difference loss meaningless.
            let fanIn = name.hasSuffix("_weight") ? t.dims.dropFirst().reduce(1, *) : 1
            let std = name.hasSuffix("_weight") ? 1 / Float(fanIn).squareRoot() : 0.5
            for i in 0..<t.elementCount { v[i] = (name.hasSuffix("_gamma") ? 1 : 0) + std * rng.normal() }
        }
        let batch = c.dataShape[0]
        let data = (0..<c.dataShape.reduce(1, *)).map { _ in rng.normal() }
        let labels: [Float] = c.softmax
            ? (0..<batch).map { _ in Float(Int.random(in: 0..<perSample, using: &rng)) }
            : (0..<(batch * perSample)).map { _ in Float(Int.random(in: 0...1, using: &rng)) }
        exec.setData(data)
        exec.setLabels(labels)

        func loss() throws -> Double {
            try exec.forward()
            let p = exec.output().map(Double.init)
            if c.softmax {
                return (0..<batch).reduce(0.0) { $0 - log(p[$1 * perSample + Int(labels[$1])]) }
            }
            return zip(p, labels).reduce(0.0) { acc, pair in
                let (q, y) = pair
                return acc - (Double(y) * log(q) + (1 - Double(y)) * log(1 - q))
            }
        }

        try exec.forward()
        try exec.backward()
        var analytic: [(String, [Float])] = [("data", exec.dataGradient())]
        for name in store.argumentNames { analytic.append((name, store.gradient(name)!.toArray())) }

        let eps: Float = 2e-3
        for (name, grad) in analytic {
            let scale = max(grad.map(abs).max() ?? 0, 1e-3)
            var indices = Array(0..<grad.count)
            indices.shuffle(using: &rng)
            var worst: Float = 0
            for i in indices.prefix(48) {
                let numeric = try perturbed(name: name, index: i, eps: eps, data: data, exec: exec, store: store, loss: loss)
                worst = max(worst, abs(numeric - grad[i]) / scale)
            }
            exec.setData(data)
            #expect(worst < 1e-2, "\(c.name): gradient of \(name) differs from finite differences by \(worst) of its largest magnitude")
        }
    }

    /// Central difference of the loss for one element of the input or of a parameter.
    func perturbed(name: String, index: Int, eps: Float, data: [Float], exec: Executor, store: ParameterStore,
                   loss: () throws -> Double) throws -> Float {
        if name == "data" {
            var d = data
            d[index] = data[index] + eps
            exec.setData(d)
            let up = try loss()
            d[index] = data[index] - eps
            exec.setData(d)
            let down = try loss()
            exec.setData(data)
            return Float((up - down) / Double(2 * eps))
        }
        let v = store.argument(name)!.floats
        let original = v[index]
        v[index] = original + eps
        let up = try loss()
        v[index] = original - eps
        let down = try loss()
        v[index] = original
        return Float((up - down) / Double(2 * eps))
    }
}
