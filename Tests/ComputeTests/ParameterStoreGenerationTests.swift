import Graph
import Models
import Testing
import Training

/// Every write to a `ParameterStore` moves its generation by itself (no caller marks it),
/// and reads do not; an inference executor therefore follows every write in place.
struct ParameterStoreGenerationTests {
    static let dataShape = [2, 3, 16, 16]

    @Test func everyWriteMovesTheGenerationAndReadsDoNot() throws {
        let symbol = try ResNet.symbol(numLayers: 20, imageShape: Array(Self.dataShape.dropFirst()), numClasses: 4)
        let store = ParameterStore()
        var seen = store.generation
        /// Whether the generation moved since the last call.
        func moved() -> Bool {
            defer { seen = store.generation }
            return store.generation != seen
        }
        let training = try Executor(symbol: symbol, parameters: store, dataShape: Self.dataShape, mode: .training)
        #expect(moved(), "allocating the parameters")
        let inference = try Executor(symbol: symbol, parameters: store, dataShape: Self.dataShape, mode: .inference)
        #expect(!moved(), "a second executor over parameters the store already holds")

        Initializer.xavier(store, seed: 1)
        #expect(moved(), "the initialiser")
        _ = store.argument(store.argumentNames[0])?.toArray()
        _ = store.export()
        #expect(!moved(), "reads")
        store.withMutableValues { _ in }
        #expect(moved(), "withMutableValues")
        try store.load(store.export(), source: "itself")
        #expect(moved(), "load")

        let data = (0..<Self.dataShape.reduce(1, *)).map { Float($0 % 17) / 17 - 0.5 }
        inference.setData(data)
        try inference.forward()
        let before = inference.output()

        training.setData(data)
        training.setLabels([1, 3])
        try training.forward()
        #expect(!moved(), "a training forward pass")
        try training.backward()
        #expect(moved(), "a training backward pass (it updates the moving statistics)")
        try SGD(learningRate: 0.5).update(store)
        #expect(moved(), "an optimizer step")

        // The inference executor follows the in-place writes: it agrees with one compiled
        // afresh on a copy of the new values, and no longer with what it gave before.
        try inference.forward()
        let after = inference.output()
        let copy = ParameterStore()
        let fresh = try Executor(symbol: symbol, parameters: copy, dataShape: Self.dataShape, mode: .inference)
        try copy.load(store.export(), source: "the trained store")
        fresh.setData(data)
        try fresh.forward()
        let reference = fresh.output()
        #expect(zip(after, reference).map { abs($0 - $1) }.max() ?? 1 < 1e-6)
        #expect(zip(after, before).map { abs($0 - $1) }.max() ?? 0 > 1e-4, "training changed nothing")
    }
}
