import Foundation
import Graph
import TestFixtures
import Testing
import Training

/// The executor against MXNet 1.9.1 itself. Each case folder holds a fixed random ResNet,
/// a batch, and MXNet's outputs, gradients, moving statistics and one SGD step:
/// - `parity/`: the shared fixtures (`shared/bench/make_fixtures.py`); their model (symbol,
///   checkpoint) is in the fixtures every test target shares (`SharedFixtures.model`), the
///   batch and MXNet's results for it in this target's `Resources/parity`. Their saved "after"
///   moving statistics are a stale copy of the checkpoint's, and some pre-ReLU values lie
///   within 1e-6 of zero, where the ReLU mask flips with the last bit of rounding; so only
///   their inference and training-mode outputs are compared here.
/// - `parity-extra/`: written by `tools/make_parity_fixtures.py` with MXNet 1.9.1, with the
///   real moving statistics after the step and every pre-ReLU value at least 1e-3 from zero:
///   outputs, every gradient, moving statistics and the SGD step are compared.
@Suite(.serialized)
struct ParityTests {
    struct Case {
        let folder: URL
        let batch: [String: NDArray]
        let symbol: Symbol
        let checkpoint: [(name: String, array: NDArray)]
        let dataShape: [Int]
    }

    static let sharedCases = ["parity/resnet20-1x28x28", "parity/resnet20-3x28x28-multilabel"]
    static let extraCases = ["parity-extra/resnet20-1x28x28", "parity-extra/resnet20-3x28x28-multilabel",
                             "parity-extra/resnet18-3x32x32", "parity-extra/resnet18-3x64x64"]

    static func load(_ name: String) throws -> Case {
        let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent(name)
        let model = modelFolder(name)
        let batch = Dictionary(uniqueKeysWithValues: try ParamsFile.read(contentsOf: folder.appendingPathComponent("batch.params"))
            .map { ($0.name, $0.array) })
        let symbol = try Symbol.load(contentsOf: model.appendingPathComponent("image-classification-symbol.json"))
        let checkpoint = try ParamsFile.read(contentsOf: model.appendingPathComponent("image-classification-0000.params"))
        return Case(folder: folder, batch: batch, symbol: symbol, checkpoint: checkpoint, dataShape: batch["data"]!.shape)
    }

    /// The folder of a case's symbol and checkpoint: a shared case's model is in the shared
    /// fixtures (`parity/resnet20-1x28x28` -> `models/resnet20-1x28x28`), an extra case's beside its batch.
    static func modelFolder(_ name: String) -> URL {
        let shared = "parity/"
        if name.hasPrefix(shared) { return SharedFixtures.model(String(name.dropFirst(shared.count))) }
        return Bundle.module.url(forResource: "Resources", withExtension: nil)!.appendingPathComponent(name)
    }

    static func arrays(_ c: Case, _ file: String) throws -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: try ParamsFile.read(contentsOf: c.folder.appendingPathComponent(file)).map { ($0.name, $0.array.floats()) })
    }

    /// Largest absolute difference, relative to the reference array's largest magnitude.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        let scale = max(b.map(abs).max() ?? 0, 1e-12)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    static func absoluteError(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max()!
    }

    /// Every way of computing inference convolutions: Winograd where it pays, wherever
    /// oneDNN has it (the narrow fixtures' 16- to 64-channel layers), and nowhere. Without
    /// AVX-512 oneDNN has no Winograd and the three cases run the same direct convolutions.
    @Test(arguments: sharedCases + extraCases, ConvolutionAlgorithm.allCases)
    func inferenceMatchesMXNet(caseName: String, algorithm: ConvolutionAlgorithm) throws {
        let c = try Self.load(caseName)
        let store = ParameterStore()
        let exec = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference, convolutions: algorithm)
        try store.load(c.checkpoint, source: caseName)
        exec.setData(c.batch["data"]!.floats())
        try exec.forward()
        let err = Self.absoluteError(exec.output(), c.batch["prob_inference"]!.floats())
        #expect(err < 1e-5, "inference probabilities (\(algorithm) convolutions) differ from MXNet by \(err)")
    }

    /// A training executor with the case's weights, after one forward pass on its batch.
    /// `fusedOutputsKeptUpTo` 0 recomputes every fused BatchNorm+ReLU output for the backward
    /// pass, as large networks do; the default keeps them at these sizes.
    static func trainingForward(_ c: Case, source: String,
                                fusedOutputsKeptUpTo: Int = Executor.fusedOutputsKeptByDefault) throws -> (ParameterStore, Executor) {
        let store = ParameterStore()
        let exec = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .training,
                                fusedOutputsKeptUpTo: fusedOutputsKeptUpTo)
        try store.load(c.checkpoint, source: source)
        exec.setData(c.batch["data"]!.floats())
        exec.setLabels(c.batch["label"]!.floats())
        try exec.forward()
        return (store, exec)
    }

    @Test(arguments: sharedCases)
    func trainingOutputsMatchMXNet(caseName: String) throws {
        let c = try Self.load(caseName)
        let (_, exec) = try Self.trainingForward(c, source: caseName)
        let err = Self.relativeError(exec.output(), c.batch["prob_train"]!.floats())
        #expect(err < 1e-4, "training-mode outputs differ from MXNet: \(err)")
    }

    @Test(arguments: extraCases, [false, true])
    func trainingStepMatchesMXNet(caseName: String, recomputesFusedOutputs: Bool) throws {
        let c = try Self.load(caseName)
        let (store, exec) = try Self.trainingForward(c, source: caseName,
                                                     fusedOutputsKeptUpTo: recomputesFusedOutputs ? 0 : Executor.fusedOutputsKeptByDefault)
        #expect(exec.recomputesFusedOutputs == recomputesFusedOutputs)
        let outErr = Self.relativeError(exec.output(), c.batch["prob_train"]!.floats())
        #expect(outErr < 1e-4, "training-mode outputs differ: \(outErr)")
        try exec.backward()

        // MXNet's float32 gradients, and the same step in float64 (tools/make_f64_gradients.py):
        // a long cancelling float32 sum (a BatchNorm gamma over thousands of positions) is
        // itself off by up to ~1e-3 in MXNet, so each array must be within 1e-4 of the
        // float64 result, or at least as close to it as MXNet's own float32 result is.
        let grads = try Self.arrays(c, "step-gradients.params")
        let exact = try Self.arrays(c, "step-gradients-f64.params")
        var worst: (String, Float) = ("", 0)
        for (name, expected) in grads {
            let key = String(name.dropFirst("grad:".count))
            let got = key == "data" ? exec.dataGradient() : store.gradient(key)!.toArray()
            let reference = exact[name]!
            let e = Self.relativeError(got, reference)
            let mxnetOwnError = Self.relativeError(expected, reference)
            let vsMXNet = Self.relativeError(got, expected)
            if e > worst.1 { worst = (key, e) }
            #expect(e < max(1e-4, mxnetOwnError), "gradient of \(key) differs from MXNet's float64 result: \(e) (MXNet float32: \(mxnetOwnError))")
            #expect(vsMXNet < max(1e-4, 2 * mxnetOwnError), "gradient of \(key) differs from MXNet's float32 result: \(vsMXNet)")
        }
        print("[parity] \(caseName): worst gradient error \(worst.1) (\(worst.0)), outputs \(outErr)")

        for (name, expected) in try Self.arrays(c, "step-aux-after.params") {
            let key = String(name.dropFirst("aux:".count))
            let e = Self.relativeError(store.auxiliary(key)!.toArray(), expected)
            #expect(e < 1e-4, "moving statistic \(key) differs from MXNet after the step: \(e)")
        }

        let sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, rescaleGrad: 1 / Float(c.dataShape[0]))
        try sgd.update(store)
        for (name, expected) in try Self.arrays(c, "step-sgd-params-after.params") {
            let key = String(name.dropFirst("arg:".count))
            let e = Self.relativeError(store.argument(key)!.toArray(), expected)
            #expect(e < 1e-4, "weights of \(key) after one SGD step differ from MXNet: \(e)")
        }
    }
}
