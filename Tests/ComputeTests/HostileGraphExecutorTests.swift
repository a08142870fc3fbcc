import Foundation
import Graph
import Models
import TestFixtures
import Testing

/// Graphs and shapes that compile for some inputs only: every executor either compiles
/// and runs, or throws an error naming the node; none traps, at any batch size.
@Suite struct HostileGraphExecutorTests {
    /// Writes the symbol to a temporary file and loads it back, as a user's model would be.
    static func roundTrip(_ s: Symbol) throws -> Symbol {
        let folder = TemporaryFolders.url("hostile-exec")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model-symbol.json")
        try s.write(to: url)
        return try Symbol.load(contentsOf: url)
    }

    static func compileError(_ s: Symbol, _ dataShape: [Int], mode: ExecutionMode = .inference,
                             store: ParameterStore = ParameterStore(), limits: MemoryLimits = MemoryLimits()) -> String? {
        do {
            _ = try Executor(symbol: s, parameters: store, dataShape: dataShape, mode: mode, limits: limits)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// `fc + w` with `w` a free variable: shape inference gives `w` the batch's shape, so
    /// the graph is valid only for the batch it was first compiled for.
    @Test func broadcastValidOnlyAtOneBatchSize() throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let f = g.fullyConnected(x, name: "fc", attrs: ["num_hidden": "4"])
        let w = g.variable("w")
        let sum = g.op("broadcast_add", name: "sum", inputs: [f, w])
        let s = try Self.roundTrip(g.symbol(heads: [sum]))
        let store = ParameterStore()
        for batch in 1...9 {
            for mode in [ExecutionMode.inference, .training] {
                let text = Self.compileError(s, [batch, 6], mode: mode, store: store)
                #expect(text?.contains("'w'") == true && text?.contains("batch") == true, "batch \(batch): \(text ?? "compiled")")
            }
        }
    }

    /// Executors of several batch sizes share a store; one of another parameter shape is refused.
    @Test func sharedStoreRefusesAnotherParameterShape() throws {
        var g = GraphBuilder()
        let f = g.fullyConnected(g.variable("data"), name: "fc", attrs: ["num_hidden": "4"])
        let s = try Self.roundTrip(g.symbol(heads: [f]))
        let store = ParameterStore()
        _ = try Executor(symbol: s, parameters: store, dataShape: [2, 6], mode: .inference)
        let text = Self.compileError(s, [3, 7], store: store)
        #expect(text?.contains("fc_weight") == true, "\(text ?? "compiled")")
    }

    @Test func lossHeadOnAVariableThrows() throws {
        var g = GraphBuilder()
        let f = g.fullyConnected(g.variable("data"), name: "fc", attrs: ["num_hidden": "3"])
        let head = g.output("SoftmaxOutput", NodeEntry(node: 1), name: "softmax")
        let s = try Self.roundTrip(g.symbol(heads: [f, head]))
        for mode in [ExecutionMode.inference, .training] {
            let text = Self.compileError(s, [3, 4], mode: mode)
            #expect(text?.contains("softmax") == true && text?.contains("variable") == true, "\(text ?? "compiled")")
        }
    }

    @Test func headOnAHiddenOutputThrows() throws {
        var g = GraphBuilder()
        let b = g.batchNorm(g.variable("data"), name: "bn", attrs: [:])
        let s = try Self.roundTrip(g.symbol(heads: [NodeEntry(node: b.node, output: 1)]))
        let text = Self.compileError(s, [2, 3, 4, 4])
        #expect(text?.contains("'bn'") == true && text?.contains("head 0") == true, "\(text ?? "compiled")")
    }

    @Test func hugeImageShapeEndsInTheTensorCap() throws {
        let s = try Self.roundTrip(ResNet.symbol(numLayers: 18, imageShape: [3, 60000, 60000], numClasses: 10))
        for mode in [ExecutionMode.inference, .training] {
            let text = Self.compileError(s, [1, 3, 60000, 60000], mode: mode)
            #expect(text?.contains("'data'") == true && text?.contains("limit") == true, "\(text ?? "compiled")")
        }
        // The same for a class count the hyperparameters could hold.
        let wide = try Self.roundTrip(ResNet.symbol(numLayers: 20, imageShape: [1, 28, 28], numClasses: Int(Int32.max)))
        let text = Self.compileError(wide, [1, 1, 28, 28])
        #expect(text?.contains("fc1_weight") == true && text?.contains("limit") == true, "\(text ?? "compiled")")
    }

    /// The defaults leave room for the service's largest settings people train with.
    @Test(arguments: [(152, 32), (200, 16), (50, 64), (152, 64)])
    func realNetworksFitTheDefaultLimits(layers: Int, batch: Int) throws {
        let s = try ResNet.symbol(numLayers: layers, imageShape: [3, 224, 224], numClasses: 1000)
        let shapes = try s.inferShapes(inputs: ["data": [batch, 3, 224, 224]])
        let bytes = try #require(Executor.planBytes(shapes))
        #expect(bytes <= MemoryLimits().planBytes, "ResNet-\(layers) batch \(batch): \(bytes >> 20) MiB")
    }

    @Test func planCapIsCheckedBeforeAllocating() throws {
        let s = try ResNet.symbol(numLayers: 18, imageShape: [3, 224, 224], numClasses: 10)
        let text = Self.compileError(s, [8, 3, 224, 224], mode: .training, limits: MemoryLimits(planBytes: 64 << 20))
        #expect(text?.contains("estimated memory") == true && text?.contains("67108864-byte limit") == true, "\(text ?? "compiled")")
    }

    /// oneDNN normalises over axis 1 only: other axes are refused, -3 (the same axis of 4-D
    /// data) gives exactly axis 1's outputs.
    @Test func batchNormAxis() throws {
        func net(_ axis: String?) throws -> Symbol {
            var g = GraphBuilder()
            let b = g.batchNorm(g.variable("data"), name: "bn", attrs: axis.map { ["axis": $0, "fix_gamma": "False"] } ?? ["fix_gamma": "False"])
            return try Self.roundTrip(g.symbol(heads: [b]))
        }
        for axis in ["2", "3", "-1", "0"] {
            let text = Self.compileError(try net(axis), [2, 3, 4, 5], mode: .training)
            #expect(text?.contains("'bn'") == true && text?.contains("'axis'") == true, "axis \(axis): \(text ?? "compiled")")
        }
        let input = (0..<120).map { Float(($0 * 37) % 23) - 11 }
        var outputs: [[Float]] = []
        for axis in [nil, "-3"] {
            let e = try Executor(symbol: try net(axis), parameters: ParameterStore(), dataShape: [2, 3, 4, 5], mode: .training)
            e.setData(input)
            try e.forward()
            outputs.append(e.output())
        }
        #expect(outputs[0] == outputs[1] && outputs[0].count == 120)
        #expect(outputs[0] != input)
    }

    @Test func unsupportedPoolingShapesThrow() throws {
        var g = GraphBuilder()
        let p = g.op("Pooling", name: "pool3d", attrs: ["kernel": "(2,)", "pool_type": "max"], inputs: [g.variable("data")])
        let text = Self.compileError(try Self.roundTrip(g.symbol(heads: [p])), [2, 3, 8])
        #expect(text?.contains("pool3d") == true, "\(text ?? "compiled")")
        var h = GraphBuilder()
        let q = h.op("Pooling", name: "same", attrs: ["kernel": "(2, 2)", "pooling_convention": "same"], inputs: [h.variable("data")])
        let text2 = Self.compileError(try Self.roundTrip(h.symbol(heads: [q])), [2, 3, 8, 8])
        #expect(text2?.contains("pooling_convention") == true, "\(text2 ?? "compiled")")
    }

    @Test(arguments: [[Int](), [0, 3, 8, 8], [-1, 3, 8, 8]])
    func badDataShapesThrow(shape: [Int]) throws {
        let s = try ResNet.symbol(numLayers: 20, imageShape: [3, 28, 28], numClasses: 10)
        #expect(Self.compileError(s, shape) != nil)
    }

    /// Labels that are not class indices must not trap the loss (callers validate them).
    @Test func nonIndexLabelsDoNotTrap() throws {
        var g = GraphBuilder()
        let f = g.fullyConnected(g.variable("data"), name: "fc", attrs: ["num_hidden": "3"])
        let head = g.output("SoftmaxOutput", f, name: "softmax")
        let s = g.symbol(heads: [head])
        let e = try Executor(symbol: s, parameters: ParameterStore(), dataShape: [4, 2], mode: .training)
        e.setData([1, 2, 3, 4, 5, 6, 7, 8])
        e.setLabels([.nan, 1e30, -5, .infinity])
        try e.forward()
        try e.backward()
        #expect(e.output().count == 12)
    }
}
