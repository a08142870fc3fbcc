@testable import Graph
import Testing

/// Inference executors of one store share the weights they convert into a primitive's
/// layout (oneDNN's reorder into Winograd's layout takes about 400 ms for ResNet-18, which a
/// server would otherwise pay for every batch size it compiles), and stay right when the
/// store changes under them.
struct PackedWeightSharingTests {
    static func run(_ exec: Executor, _ data: [Float]) throws -> [Float] {
        exec.setData(data)
        try exec.forward()
        return exec.output()
    }

    @Test(arguments: ConvolutionAlgorithm.allCases)
    func executorsOfOneStoreShareTheirConvertedWeights(algorithm: ConvolutionAlgorithm) throws {
        let c = try ParityTests.load("parity-extra/resnet18-3x64x64")
        let perImage = c.dataShape.dropFirst().reduce(1, *)
        let data = c.batch["data"]!.floats()
        let store = ParameterStore()
        let whole = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference, convolutions: algorithm)
        let single = try Executor(symbol: c.symbol, parameters: store, dataShape: [1] + c.dataShape.dropFirst(), mode: .inference,
                                  convolutions: algorithm)
        try store.load(c.checkpoint, source: "checkpoint")
        let expected = c.batch["prob_inference"]!.floats()
        #expect(ParityTests.absoluteError(try Self.run(whole, data), expected) < 1e-5)
        let classes = expected.count / c.dataShape[0]
        #expect(ParityTests.absoluteError(try Self.run(single, Array(data.prefix(perImage))), Array(expected.prefix(classes))) < 1e-5)

        // Layouts that do not depend on the batch are converted once, by the first executor to run.
        let shared = whole.packedWeightTensors.filter { name, tensor in single.packedWeightTensors[name] === tensor }
        let sameLayout = whole.packedWeightTensors.filter { name, tensor in single.packedWeightTensors[name]?.desc == tensor.desc }
        #expect(shared.count == sameLayout.count && !shared.isEmpty, "\(shared.count) of \(sameLayout.count) same-layout weights shared")

        // New weights: the executor running first converts them, the other takes them; both
        // agree with an executor compiled afresh on the new weights.
        let changed = c.checkpoint.map { entry -> (name: String, array: NDArray) in
            (entry.name, NDArray(shape: entry.array.shape, floats: entry.array.floats().map { $0 * (entry.name.hasSuffix("moving_var") ? 2 : 0.9) }))
        }
        try store.load(changed, source: "changed")
        let singleAfter = try Self.run(single, Array(data.prefix(perImage)))
        let wholeAfter = try Self.run(whole, data)
        let freshStore = ParameterStore()
        let fresh = try Executor(symbol: c.symbol, parameters: freshStore, dataShape: c.dataShape, mode: .inference, convolutions: algorithm)
        try freshStore.load(changed, source: "changed")
        let reference = try Self.run(fresh, data)
        #expect(ParityTests.absoluteError(wholeAfter, reference) < 1e-6)
        #expect(ParityTests.absoluteError(singleAfter, Array(reference.prefix(classes))) < 1e-6)
        #expect(ParityTests.absoluteError(wholeAfter, expected) > 1e-4, "the new weights changed nothing")
    }
}
