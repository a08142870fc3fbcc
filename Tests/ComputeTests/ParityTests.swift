import Foundation
import Graph
import Testing
import Training

/// The executor against MXNet 1.9.1 itself: each case folder under Resources/parity was
/// written by `shared/bench/make_fixtures.py` (a fixed random ResNet-20, a batch, and
/// MXNet's outputs, gradients, moving statistics and one SGD step).
@Suite(.serialized)
struct ParityTests {
    struct Case {
        let folder: URL
        let batch: [String: NDArray]
        let symbol: Symbol
        let checkpoint: [(name: String, array: NDArray)]
        let dataShape: [Int]
    }

    static func load(_ name: String) throws -> Case {
        let folder = Bundle.module.url(forResource: "Resources", withExtension: nil)!
            .appendingPathComponent("parity").appendingPathComponent(name)
        let batch = Dictionary(uniqueKeysWithValues: try ParamsFile.read(contentsOf: folder.appendingPathComponent("batch.params"))
            .map { ($0.name, $0.array) })
        let symbol = try Symbol.load(contentsOf: folder.appendingPathComponent("image-classification-symbol.json"))
        let checkpoint = try ParamsFile.read(contentsOf: folder.appendingPathComponent("image-classification-0000.params"))
        return Case(folder: folder, batch: batch, symbol: symbol, checkpoint: checkpoint, dataShape: batch["data"]!.shape)
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

    @Test(arguments: ["resnet20-1x28x28", "resnet20-3x28x28-multilabel"])
    func inferenceMatchesMXNet(caseName: String) throws {
        let c = try Self.load(caseName)
        let store = ParameterStore()
        let exec = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference)
        try store.load(c.checkpoint, source: caseName)
        exec.setData(c.batch["data"]!.floats())
        exec.forward()
        let err = Self.absoluteError(exec.output(), c.batch["prob_inference"]!.floats())
        #expect(err < 1e-5, "inference probabilities differ from MXNet by \(err)")
    }

    @Test(arguments: ["resnet20-1x28x28", "resnet20-3x28x28-multilabel"])
    func trainingStepMatchesMXNet(caseName: String) throws {
        let c = try Self.load(caseName)
        let store = ParameterStore()
        let exec = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .training)
        try store.load(c.checkpoint, source: caseName)
        exec.setData(c.batch["data"]!.floats())
        exec.setLabels(c.batch["label"]!.floats())
        exec.forward()
        let outErr = Self.relativeError(exec.output(), c.batch["prob_train"]!.floats())
        #expect(outErr < 1e-4, "training-mode outputs differ: \(outErr)")
        exec.backward()

        let grads = try Self.arrays(c, "step-gradients.params")
        var worst: (String, Float) = ("", 0)
        for (name, expected) in grads {
            let key = String(name.dropFirst("grad:".count))
            let got = key == "data" ? exec.dataGradient() : store.gradient(key)!.toArray()
            let e = Self.relativeError(got, expected)
            if e > worst.1 { worst = (key, e) }
            #expect(e < 1e-4, "gradient of \(key) differs from MXNet: \(e)")
        }
        print("[parity] \(caseName): worst gradient error \(worst.1) (\(worst.0)), outputs \(outErr)")

        for (name, expected) in try Self.arrays(c, "step-aux-after.params") {
            let key = String(name.dropFirst("aux:".count))
            let e = Self.relativeError(store.auxiliary(key)!.toArray(), expected)
            #expect(e < 1e-4, "moving statistic \(key) differs from MXNet after the step: \(e)")
        }

        let sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4, rescaleGrad: 1 / Float(c.dataShape[0]))
        sgd.update(store)
        for (name, expected) in try Self.arrays(c, "step-sgd-params-after.params") {
            let key = String(name.dropFirst("arg:".count))
            let e = Self.relativeError(store.argument(key)!.toArray(), expected)
            #expect(e < 1e-4, "weights of \(key) after one SGD step differ from MXNet: \(e)")
        }
    }
}
