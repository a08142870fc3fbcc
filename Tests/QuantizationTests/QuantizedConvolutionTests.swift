import Compute
@testable import Graph
import Testing

/// The int8 convolution against float32 on random data: within the error quantizing the
/// input (step range/255 for u8, range/127 for s8) and the weights (max|w|/127 per output
/// channel) can cause, and close to float on average.
@Suite struct QuantizedConvolutionTests {
    /// SplitMix64-style deterministic numbers in [-1, 1).
    struct Numbers {
        var state: UInt64
        mutating func next() -> Float {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Float(z >> 40) / Float(1 << 23) - 1
        }
        mutating func array(_ n: Int, scale: Float = 1) -> [Float] { (0..<n).map { _ in next() * scale } }
    }

    static let attrs = ["num_filter": "16", "kernel": "(3, 3)", "stride": "(1, 1)", "pad": "(1, 1)"]

    /// data -> [relu] -> conv (with bias) at [2, 8, 9, 9].
    static func symbol(relu: Bool, attrs: [String: String] = attrs) -> Symbol {
        var g = GraphBuilder()
        var x = g.variable("data")
        if relu { x = g.activation(x, name: "act") }
        let c = g.convolution(x, name: "conv", attrs: attrs)
        return g.symbol(heads: [c])
    }

    /// Float and int8 outputs of one convolution over `data`, the int8 one calibrated on that
    /// very data; also the per-output-channel worst-case error bound.
    static func compare(relu: Bool, attrs: [String: String] = attrs, dataShape: [Int] = [2, 8, 9, 9], seed: UInt64)
        throws -> (float: [Float], int8: [Float], bound: [Float]) {
        var r = Numbers(state: seed)
        let symbol = symbol(relu: relu, attrs: attrs)
        let store = ParameterStore()
        let float = try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .inference)
        let weight = try #require(store.argument("conv_weight")), bias = try #require(store.argument("conv_bias"))
        let w = r.array(weight.elementCount, scale: 0.2)
        weight.copy(from: w)
        bias.copy(from: r.array(bias.elementCount, scale: 0.5))
        let data = r.array(dataShape.reduce(1, *), scale: 3)
        float.setData(data)
        try float.forward()
        var calibrator = QuantizationCalibrator(symbol: symbol)
        try calibrator.observe(float, count: dataShape[0])
        let table = calibrator.table()
        let entry = try #require(table.entry(for: "conv"))
        #expect(entry.inputNonNegative == relu)
        let int8 = try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .inference, quantization: table)
        int8.setData(data)
        try int8.forward()
        // |error| <= Σ |w| Δx/2 + Σ |x| Δw/2 (+ rounding of the f32 arithmetic), per output channel.
        let oc = weight.dims[0], fanIn = weight.elementCount / oc
        let xMax = entry.inputMaxAbs, dx = 1 / entry.inputScale
        let bound = (0..<oc).map { c -> Float in
            let wc = w[c * fanIn..<(c + 1) * fanIn]
            let wMax = wc.map(abs).max() ?? 0
            return wc.map(abs).reduce(0, +) * dx / 2 + Float(fanIn) * xMax * (wMax / 127) / 2 + 1e-4
        }
        return (float.output(), int8.output(), bound)
    }

    static func check(_ result: (float: [Float], int8: [Float], bound: [Float]), channels: Int, spatial: Int,
                      relativeRMS: Float) {
        var worst: Float = 0, err2: Float = 0, ref2: Float = 0
        for (i, (a, b)) in zip(result.float, result.int8).enumerated() {
            let c = (i / spatial) % channels
            worst = max(worst, abs(a - b) / result.bound[c])
            err2 += (a - b) * (a - b)
            ref2 += a * a
        }
        #expect(worst <= 1, "an output is \(worst)x the worst-case quantization error")
        let rms = (err2 / ref2).squareRoot()
        #expect(rms < relativeRMS, "relative RMS error \(rms)")
    }

    @Test func u8InputAfterReluIsWithinTheQuantizationError() throws {
        let r = try Self.compare(relu: true, seed: 1)
        Self.check(r, channels: 16, spatial: 81, relativeRMS: 0.01)
    }

    @Test func s8SignedInputIsWithinTheQuantizationError() throws {
        let r = try Self.compare(relu: false, seed: 2)
        Self.check(r, channels: 16, spatial: 81, relativeRMS: 0.02)
    }

    @Test func stridedOneByOneWithoutBias() throws {
        let attrs = ["num_filter": "32", "kernel": "(1, 1)", "stride": "(2, 2)", "no_bias": "True"]
        var r = Numbers(state: 5)
        let symbol = Self.symbol(relu: true, attrs: attrs)
        let store = ParameterStore()
        let shape = [3, 16, 8, 8]
        let float = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference)
        try store.withMutableValues { try #require($0.argument("conv_weight")).copy(from: r.array(32 * 16, scale: 0.3)) }
        let data = r.array(shape.reduce(1, *), scale: 2)
        float.setData(data)
        try float.forward()
        var calibrator = QuantizationCalibrator(symbol: symbol)
        try calibrator.observe(float, count: 3)
        let int8 = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference, quantization: calibrator.table())
        int8.setData(data)
        try int8.forward()
        let a = float.output(), b = int8.output()
        let rms = (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / a.map { $0 * $0 }.reduce(0, +)).squareRoot()
        #expect(a.count == 3 * 32 * 4 * 4 && rms < 0.01, "relative RMS error \(rms)")
    }

    /// A pre-activation residual unit, the fused form: c1 takes in its BatchNorm and ReLU,
    /// c2 the residual sum (with the shortcut convolution sc) and the ReLU after it. The int8
    /// executor fuses the same nodes as the float one, agrees with it within the quantization
    /// error, and follows new weights (its primitives are made again with new scales).
    @Test func fusedUnitAgreesWithFloatAndFollowsNewWeights() throws {
        var g = GraphBuilder()
        let act = g.activation(g.variable("data"), name: "act")
        let conv = ["num_filter": "12", "kernel": "(3, 3)", "pad": "(1, 1)", "no_bias": "True"]
        let sc = g.convolution(act, name: "sc", attrs: ["num_filter": "12", "kernel": "(1, 1)", "no_bias": "True"])
        let c1 = g.convolution(act, name: "c1", attrs: conv)
        let bn = g.batchNorm(c1, name: "bn", attrs: ["eps": "1e-5", "fix_gamma": "False"])
        let r2 = g.activation(bn, name: "r2")
        let c2 = g.convolution(r2, name: "c2", attrs: conv)
        let sum = g.op("elemwise_add", name: "add", inputs: [c2, sc])
        let out = g.activation(sum, name: "out")
        let symbol = g.symbol(heads: [out])
        let shape = [2, 8, 6, 6]
        var r = Numbers(state: 11)
        let store = ParameterStore()
        let float = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference)
        func randomize(_ scale: Float) throws {
            try store.withMutableValues { values in
                for name in ["sc_weight", "c1_weight", "c2_weight", "bn_beta"] {
                    let t = try #require(values.argument(name))
                    t.copy(from: r.array(t.elementCount, scale: scale))
                }
                let gamma = try #require(values.argument("bn_gamma")), mean = try #require(values.auxiliary("bn_moving_mean"))
                let variance = try #require(values.auxiliary("bn_moving_var"))
                gamma.copy(from: r.array(12).map { 1 + $0 / 2 })
                mean.copy(from: r.array(12, scale: 0.5))
                variance.copy(from: r.array(12).map { 1.2 + $0 })
            }
        }
        try randomize(0.3)
        let data = r.array(shape.reduce(1, *), scale: 2)
        float.setData(data)
        try float.forward()
        var calibrator = QuantizationCalibrator(symbol: symbol)
        try calibrator.observe(float, count: shape[0])
        let int8 = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference, quantization: calibrator.table())
        #expect(int8.fusedNodes == float.fusedNodes && int8.fusedNodes.isSuperset(of: ["bn", "r2", "add", "out"]), "\(int8.fusedNodes)")
        func relativeRMS() throws -> Float {
            int8.setData(data)
            try int8.forward()
            let a = float.output(), b = int8.output()
            return (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / a.map { $0 * $0 }.reduce(0, +)).squareRoot()
        }
        let first = try relativeRMS()
        #expect(first < 0.03, "relative RMS error \(first)")
        // New weights of the same spread: the int8 executor compiled before them computes
        // what one compiled after them does.
        let before = float.output()
        try randomize(0.3)
        try float.forward()
        #expect(zip(before, float.output()).contains { abs($0 - $1) > 1e-2 }, "the new weights changed nothing")
        let second = try relativeRMS()
        #expect(second < 0.05, "after new weights: relative RMS error \(second)")
        let fresh = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference, quantization: calibrator.table())
        fresh.setData(data)
        try fresh.forward()
        #expect(zip(fresh.output(), int8.output()).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    /// The calibration view: any node's output, plain, after forward; nil for unknown nodes.
    @Test func executorValueIsThePlainOutput() throws {
        let symbol = Self.symbol(relu: true)
        let store = ParameterStore()
        let e = try Executor(symbol: symbol, parameters: store, dataShape: [1, 8, 9, 9], mode: .inference)
        let data = (0..<(8 * 81)).map { Float($0 % 7) - 3 }
        e.setData(data)
        try e.forward()
        #expect(try e.value(of: "act") == data.map { max(0, $0) })
        #expect(try e.value(of: "no such node") == nil)
    }
}

