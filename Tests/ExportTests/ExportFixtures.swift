import Foundation
import Graph
import Models
import ONNXExport
import TestFixtures

/// What the export tests share: seeded inputs and weights, our executor's probabilities,
/// and one export-then-run-in-ONNX-Runtime round trip compared with them.
enum ExportFixtures {
    /// A seeded stream of floats in [low, high) (a 64-bit LCG; the tests need repeatable, not good, numbers).
    struct Numbers {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
        mutating func next(_ low: Float, _ high: Float) -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return low + (high - low) * Float(state >> 40) / Float(1 << 24)
        }
        mutating func array(_ count: Int, _ low: Float, _ high: Float) -> [Float] { (0..<count).map { _ in next(low, high) } }
    }

    /// Weights for every parameter of `symbol` at `imageShape`: uniform in ±sqrt(3 / fan-in)
    /// for weights, gammas and moving variances in [0.5, 1.5), betas, biases and moving means
    /// in [-0.2, 0.2). Gammas of fix_gamma BatchNorms get values too (the export must ignore them).
    static func randomParameters(_ symbol: Symbol, imageShape: [Int], seed: UInt64) throws -> [(name: String, array: NDArray)] {
        let shapes = try symbol.inferShapes(inputs: ["data": [1] + imageShape])
        let labels = Set(symbol.nodes.filter { $0.op.hasSuffix("Output") }.compactMap { $0.inputs.count > 1 ? symbol.nodes[$0.inputs[1].node].name : nil })
        var numbers = Numbers(seed: seed)
        var out: [(name: String, array: NDArray)] = []
        for name in symbol.argumentNames where name != "data" && !labels.contains(name) {
            guard let shape = shapes.arguments[name] else { continue }
            let count = shape.reduce(1, *)
            let values: [Float]
            if name.hasSuffix("_weight") {
                let bound = (3 / Float(max(1, count / shape[0]))).squareRoot()
                values = numbers.array(count, -bound, bound)
            } else if name.hasSuffix("_gamma") {
                values = numbers.array(count, 0.5, 1.5)
            } else {
                values = numbers.array(count, -0.2, 0.2)
            }
            out.append(("arg:" + name, NDArray(shape: shape, floats: values)))
        }
        for name in symbol.auxiliaryNames {
            guard let shape = shapes.auxiliary[name] else { continue }
            let count = shape.reduce(1, *)
            let values = name.hasSuffix("_moving_var") ? numbers.array(count, 0.5, 1.5) : numbers.array(count, -0.2, 0.2)
            out.append(("aux:" + name, NDArray(shape: shape, floats: values)))
        }
        return out
    }

    /// Our inference executor's probabilities for each batch (float32 NCHW of `imageShape` images).
    static func executorProbabilities(_ symbol: Symbol, parameters: [(name: String, array: NDArray)], imageShape: [Int],
                                      batches: [[Float]]) throws -> [[Float]] {
        let store = ParameterStore()
        let per = imageShape.reduce(1, *)
        var executors: [Executor] = []
        for batch in batches {
            executors.append(try Executor(symbol: symbol, parameters: store, dataShape: [batch.count / per] + imageShape, mode: .inference))
        }
        try store.load(parameters, source: "test parameters", requireAll: true)
        return try zip(executors, batches).map { executor, batch in
            executor.setData(batch)
            try executor.forward()
            return executor.output()
        }
    }

    static func maxDiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    struct RoundTrip {
        var info: ONNXRuntime.Info
        var ours: [[Float]]
        var onnxRuntime: [[Float]]
        var exporter: ONNXExporter
        /// The largest |ours - ONNX Runtime| over every batch.
        var maxDiff: Float { zip(ours, onnxRuntime).map { ExportFixtures.maxDiff($0, $1) }.max() ?? .infinity }
    }

    /// Exports `artifact` to a temporary file, runs `batchSizes` batches of seeded images
    /// with values in `range` through it in ONNX Runtime and through `reference` (default:
    /// the artifact's own graph) in our executor.
    static func roundTrip(_ artifact: ModelArtifact, reference: Symbol? = nil, batchSizes: [Int] = [3, 1],
                          range: ClosedRange<Float> = 0...255, seed: UInt64 = 7) throws -> RoundTrip {
        let exporter = try ONNXExporter(artifact: artifact)
        let shape = exporter.metadata.imageShape
        let folder = try TemporaryFolders.make("onnx-export")
        let file = folder.appendingPathComponent("model.onnx")
        try exporter.write(to: file)
        var numbers = Numbers(seed: seed)
        let batches = batchSizes.map { numbers.array($0 * shape.reduce(1, *), range.lowerBound, range.upperBound) }
        let ours = try executorProbabilities(reference ?? artifact.symbol, parameters: artifact.parameters, imageShape: shape, batches: batches)
        let run = try ONNXRuntime.run(model: file, batches: batches, workFolder: folder)
        return RoundTrip(info: run.info, ours: ours, onnxRuntime: run.outputs, exporter: exporter)
    }
}
