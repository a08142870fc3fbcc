import Foundation
import Graph
import TestFixtures
import Testing

/// Models that do not fit their graph are errors that name the file, node or array.
struct ExecutorBadInputTests {
    /// The 1-channel parity case's model MXNet wrote (symbol, checkpoint).
    static func parityFolder() -> URL { SharedFixtures.model("resnet20-1x28x28") }

    @Test func paramsWithWrongShapesNameTheArray() throws {
        let folder = Self.parityFolder()
        let symbol = try Symbol.load(contentsOf: folder.appendingPathComponent("image-classification-symbol.json"))
        let store = ParameterStore()
        // A 3-channel executor for a checkpoint trained on 1 channel.
        _ = try Executor(symbol: symbol, parameters: store, dataShape: [2, 3, 28, 28], mode: .inference)
        let arrays = try ParamsFile.read(contentsOf: folder.appendingPathComponent("image-classification-0000.params"))
        do {
            try store.load(arrays, source: "image-classification-0000.params")
            Issue.record("loading mismatched shapes did not fail")
        } catch let error as GraphError {
            let text = error.description
            #expect(text.contains("image-classification-0000.params"))
            #expect(text.contains("bn_data") || text.contains("conv0_weight"), "names the array: \(text)")
            #expect(text.contains("expected shape"))
        }
    }

    @Test func missingArraysAreListed() throws {
        let folder = Self.parityFolder()
        let symbol = try Symbol.load(contentsOf: folder.appendingPathComponent("image-classification-symbol.json"))
        let store = ParameterStore()
        _ = try Executor(symbol: symbol, parameters: store, dataShape: [2, 1, 28, 28], mode: .inference)
        let arrays = try ParamsFile.read(contentsOf: folder.appendingPathComponent("image-classification-0000.params"))
            .filter { !$0.name.hasPrefix("arg:fc1") }
        #expect(throws: GraphError.self) { try store.load(arrays, source: "model.params", requireAll: true) }
        do {
            try store.load(arrays, source: "model.params", requireAll: true)
        } catch {
            #expect("\(error)".contains("fc1_weight") && "\(error)".contains("fc1_bias"), "\(error)")
        }
    }

    @Test func unknownOpNamesTheNode() throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let y = g.op("Dropout", name: "drop7", attrs: ["p": "0.5"], inputs: [x])
        let symbol = g.symbol(heads: [y])
        #expect(throws: GraphError.self) {
            _ = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [1, 3, 8, 8], mode: .inference)
        }
        do {
            _ = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [1, 3, 8, 8], mode: .inference)
        } catch {
            #expect("\(error)".contains("drop7") && "\(error)".contains("Dropout"), "\(error)")
        }
    }

    @Test func inputShapeThatDoesNotFitTheGraph() throws {
        let folder = Self.parityFolder()
        let symbol = try Symbol.load(contentsOf: folder.appendingPathComponent("image-classification-symbol.json"))
        // Empty images: shape inference must refuse them, not hand oneDNN zero sizes.
        #expect(throws: (any Error).self) {
            _ = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [1, 1, 0, 0], mode: .inference)
        }
    }
}
