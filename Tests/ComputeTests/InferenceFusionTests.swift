import Foundation
import Graph
import Models
import Testing
import Training

/// The inference compile pass: BatchNorms folded into the convolution before them, residual
/// sums and ReLUs as post-ops, weights refolded when the store changes. MXNet's numbers are
/// checked in `ParityTests`; here a direct convolution written out below is the reference
/// for the graphs where fusion must be partial.
struct InferenceFusionTests {
    @Test func resNetConvolutionsAbsorbTheirBatchNormsSumsAndReLUs() throws {
        let symbol = try ResNet.symbol(numLayers: 20, imageShape: [3, 28, 28], numClasses: 10)
        let inference = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [2, 3, 28, 28], mode: .inference)
        let training = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [2, 3, 28, 28], mode: .training)
        let convolutionInputs = Set(symbol.nodes.filter { $0.op == "Convolution" }.map { NodeEntry(node: symbol.nodeIndex(named: $0.name)!) })
        let foldable = symbol.nodes.filter { $0.op == "BatchNorm" && convolutionInputs.contains(NodeEntry(node: $0.inputs[0].node)) }
        let sums = symbol.nodes.filter { $0.op == "elemwise_add" }
        #expect(foldable.count == 10 && sums.count == 9)
        for node in foldable + sums { #expect(inference.fusedNodes.contains(node.name), "\(node.name) runs on its own") }
        // A unit's first BatchNorm reads a sum that the identity shortcut reads too: it stays.
        #expect(!inference.fusedNodes.contains("stage1_unit2_bn1"))
        #expect(training.fusedNodes.allSatisfy { symbol.nodes[symbol.nodeIndex(named: $0)!].op == "Activation" })
    }

    /// Weights written after compiling (a new checkpoint, an optimizer step) are refolded:
    /// the executor then agrees with one compiled afresh on those weights.
    @Test func refoldsWhenTheStoreChanges() throws {
        let c = try ParityTests.load("parity-extra/resnet18-3x32x32")
        let data = c.batch["data"]!.floats()
        let store = ParameterStore()
        let exec = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference)
        try store.load(c.checkpoint, source: "checkpoint")
        exec.setData(data)
        try exec.forward()
        let before = exec.output()

        let changed = c.checkpoint.map { entry -> (name: String, array: NDArray) in
            let factor: Float = entry.name.hasSuffix("moving_var") ? 3 : entry.name.hasSuffix("gamma") ? 0.5 : 1.2
            return (entry.name, NDArray(shape: entry.array.shape, floats: entry.array.floats().map { $0 * factor + 0.01 }))
        }
        try store.load(changed, source: "changed")
        try exec.forward()
        let after = exec.output()

        let freshStore = ParameterStore()
        let fresh = try Executor(symbol: c.symbol, parameters: freshStore, dataShape: c.dataShape, mode: .inference)
        try freshStore.load(changed, source: "changed")
        fresh.setData(data)
        try fresh.forward()
        #expect(ParityTests.absoluteError(after, fresh.output()) < 1e-6)
        #expect(ParityTests.absoluteError(after, before) > 1e-3, "the new weights changed nothing")
    }

    /// Training and validation share a store: after an optimizer step the validation
    /// executor computes with the new weights.
    @Test func seesAnOptimizerStep() throws {
        let c = try ParityTests.load("parity-extra/resnet20-1x28x28")
        let (store, training) = try ParityTests.trainingForward(c, source: "checkpoint")
        let inference = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference)
        inference.setData(c.batch["data"]!.floats())
        try inference.forward()
        try training.backward()
        try SGD(learningRate: 0.5, momentum: 0, weightDecay: 0, rescaleGrad: 1).update(store)
        try inference.forward()

        let freshStore = ParameterStore()
        let fresh = try Executor(symbol: c.symbol, parameters: freshStore, dataShape: c.dataShape, mode: .inference)
        try freshStore.load(store.export(), source: "after the step")
        fresh.setData(c.batch["data"]!.floats())
        try fresh.forward()
        #expect(ParityTests.absoluteError(inference.output(), fresh.output()) < 1e-6)
    }

    /// A graph where fusion is partial: `a` feeds a BatchNorm, two sums and nothing else, so
    /// its convolution keeps its own output; the first sum cannot overwrite `a` (the second
    /// reads it later), the second can.
    @Test func partialFusionMatchesADirectComputation() throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let conv = ["kernel": "(3, 3)", "pad": "(1, 1)", "num_filter": "4"]
        let a = g.convolution(x, name: "convA", attrs: conv)
        let r = g.activation(g.batchNorm(a, name: "bnA", attrs: ["fix_gamma": "True", "eps": "1e-3"]), name: "reluA")
        let bnB = g.batchNorm(g.convolution(r, name: "convB", attrs: conv.merging(["no_bias": "True"]) { $1 }), name: "bnB",
                              attrs: ["fix_gamma": "False", "eps": "2e-5"])
        let s = g.activation(g.add(bnB, a), name: "reluS")
        let t = g.add(g.convolution(x, name: "convC", attrs: conv), a)
        let symbol = g.symbol(heads: [s, t, r])

        let shape = [2, 3, 6, 6]
        let store = ParameterStore()
        let exec = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference)
        var rng = SeededGenerator(seed: 7)
        var arrays: [(name: String, array: NDArray)] = []
        for name in store.argumentNames + store.auxiliaryNames {
            let dims = store.argument(name)?.dims ?? store.auxiliary(name)!.dims
            let count = dims.reduce(1, *)
            let values = (0..<count).map { _ in name.hasSuffix("moving_var") ? 0.5 + abs(rng.normal()) : rng.normal() * 0.5 }
            arrays.append((name, NDArray(shape: dims, floats: values)))
        }
        try store.load(arrays, source: "random")
        let input = (0..<shape.reduce(1, *)).map { _ in rng.normal() }
        exec.setData(input)
        try exec.forward()

        let p = Dictionary(uniqueKeysWithValues: arrays.map { ($0.name, $0.array.floats().map(Double.init)) })
        let data = Tensor4(shape: shape, values: input.map(Double.init))
        let aRef = data.convolved(p["convA_weight"]!, bias: p["convA_bias"], filters: 4)
        let rRef = aRef.normalised(p, "bnA", eps: 1e-3, fixGamma: true).relu()
        let bRef = rRef.convolved(p["convB_weight"]!, bias: nil, filters: 4).normalised(p, "bnB", eps: 2e-5, fixGamma: false)
        let sRef = bRef.plus(aRef).relu()
        let tRef = data.convolved(p["convC_weight"]!, bias: p["convC_bias"], filters: 4).plus(aRef)
        for (k, reference) in [sRef, tRef, rRef].enumerated() {
            let error = zip(exec.output(k), reference.values).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(error < 1e-4, "head \(k) differs from the direct computation by \(error)")
        }
        let sums = [symbol.nodes[symbol.nodes[s.node].inputs[0].node].name, symbol.nodes[t.node].name]
        #expect(exec.fusedNodes.isSuperset(of: ["bnB", "reluS", "reluA"] + sums))
        #expect(!exec.fusedNodes.contains("bnA"), "convA's output is read three times; its BatchNorm cannot be folded")
    }
}

/// An NCHW array in Double, with the few operations the partial-fusion test spells out.
private struct Tensor4 {
    let shape: [Int]
    var values: [Double]

    func index(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Int { ((n * shape[1] + c) * shape[2] + y) * shape[3] + x }

    /// A 3x3 convolution, stride 1, padding 1, weights [filters, channels, 3, 3].
    func convolved(_ w: [Double], bias: [Double]?, filters: Int) -> Tensor4 {
        let (n, c, h, wd) = (shape[0], shape[1], shape[2], shape[3])
        var out = Tensor4(shape: [n, filters, h, wd], values: Array(repeating: 0, count: n * filters * h * wd))
        for b in 0..<n { for f in 0..<filters { for y in 0..<h { for x in 0..<wd {
            var sum = bias?[f] ?? 0
            for ch in 0..<c { for ky in 0..<3 { for kx in 0..<3 {
                let iy = y + ky - 1, ix = x + kx - 1
                guard iy >= 0, iy < h, ix >= 0, ix < wd else { continue }
                sum += values[index(b, ch, iy, ix)] * w[((f * c + ch) * 3 + ky) * 3 + kx]
            } } }
            out.values[out.index(b, f, y, x)] = sum
        } } } }
        return out
    }

    /// MXNet's BatchNorm with moving statistics; `fix_gamma` ignores the stored gamma.
    func normalised(_ p: [String: [Double]], _ name: String, eps: Double, fixGamma: Bool) -> Tensor4 {
        let gamma = p[name + "_gamma"]!, beta = p[name + "_beta"]!, mean = p[name + "_moving_mean"]!, variance = p[name + "_moving_var"]!
        var out = self
        let plane = shape[2] * shape[3]
        for i in values.indices {
            let c = (i / plane) % shape[1]
            out.values[i] = (values[i] - mean[c]) / (variance[c] + eps).squareRoot() * (fixGamma ? 1 : gamma[c]) + beta[c]
        }
        return out
    }

    func relu() -> Tensor4 { Tensor4(shape: shape, values: values.map { max($0, 0) }) }
    func plus(_ other: Tensor4) -> Tensor4 { Tensor4(shape: shape, values: zip(values, other.values).map(+)) }
}
