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
        float.forward()
        var calibrator = QuantizationCalibrator(symbol: symbol)
        try calibrator.observe(float, count: dataShape[0])
        let table = calibrator.table()
        let entry = try #require(table.entry(for: "conv"))
        #expect(entry.inputNonNegative == relu)
        let int8 = try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .inference, quantization: table)
        int8.setData(data)
        int8.forward()
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
        try #require(store.argument("conv_weight")).copy(from: r.array(32 * 16, scale: 0.3))
        let data = r.array(shape.reduce(1, *), scale: 2)
        float.setData(data)
        float.forward()
        var calibrator = QuantizationCalibrator(symbol: symbol)
        try calibrator.observe(float, count: 3)
        let int8 = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference, quantization: calibrator.table())
        int8.setData(data)
        int8.forward()
        let a = float.output(), b = int8.output()
        let rms = (zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / a.map { $0 * $0 }.reduce(0, +)).squareRoot()
        #expect(a.count == 3 * 32 * 4 * 4 && rms < 0.01, "relative RMS error \(rms)")
    }

    /// The fused form the lead's path will use: residual through the sum post-op, then ReLU.
    @Test func sumAndReluPostOps() throws {
        var r = Numbers(state: 9)
        let n = 2, ic = 8, oc = 12, h = 5
        let node = Node(op: "Convolution", name: "c", attrs: ["num_filter": "12", "kernel": "(3, 3)", "pad": "(1, 1)"])
        let input = try Value(.plain([n, ic, h, h]))
        let x = r.array(n * ic * h * h, scale: 2).map { max(0, $0) }
        input.tensor.copy(from: x)
        let residual = try Value(.plain([n, oc, h, h]))
        let res = r.array(n * oc * h * h)
        residual.tensor.copy(from: res)
        let w = r.array(oc * ic * 9, scale: 0.3), b = r.array(oc, scale: 0.2)
        let range = x.max() ?? 1
        let op = try QuantizedConvolutionOp(node: node, input: input, weights: w, bias: b, outputDims: [n, oc, h, h],
                                            inputScale: QuantizationTable.unsignedLevels / range, inputIsNonNegative: true, fuseRelu: true, sumWith: residual)
        op.forward()
        let out = try Reorder.convert(op.output.tensor, to: .plain([n, oc, h, h])).toArray()
        // Reference: relu(conv(x, w) + b + residual), directly.
        var worst: Float = 0
        for i in 0..<n { for o in 0..<oc { for y in 0..<h { for xx in 0..<h {
            var s = b[o]
            for c in 0..<ic { for ky in 0..<3 { for kx in 0..<3 {
                let iy = y + ky - 1, ix = xx + kx - 1
                guard iy >= 0, iy < h, ix >= 0, ix < h else { continue }
                s += x[((i * ic + c) * h + iy) * h + ix] * w[((o * ic + c) * 3 + ky) * 3 + kx]
            } } }
            let k = ((i * oc + o) * h + y) * h + xx
            worst = max(worst, abs(max(0, s + res[k]) - out[k]))
        } } } }
        #expect(worst < 0.05, "largest difference \(worst)")
        print("int8 convolution with sum and ReLU post-ops: oneDNN \(op.implementation)")
    }

    /// The calibration view: any node's output, plain, after forward; nil for unknown nodes.
    @Test func executorValueIsThePlainOutput() throws {
        let symbol = Self.symbol(relu: true)
        let store = ParameterStore()
        let e = try Executor(symbol: symbol, parameters: store, dataShape: [1, 8, 9, 9], mode: .inference)
        let data = (0..<(8 * 81)).map { Float($0 % 7) - 3 }
        e.setData(data)
        e.forward()
        #expect(try e.value(of: "act") == data.map { max(0, $0) })
        #expect(try e.value(of: "no such node") == nil)
    }
}

