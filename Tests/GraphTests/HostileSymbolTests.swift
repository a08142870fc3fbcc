import Foundation
import TestFixtures
import Testing
import Graph

/// Hostile symbol files: each test writes its graph to a temporary file, loads it back as
/// a user's file would be, and expects an error naming the node, the attribute and the
/// valid range (never a trap, an overflow or a huge allocation).
@Suite struct HostileSymbolTests {
    /// data -> Convolution `c` (attributes overridden) -> FullyConnected -> SoftmaxOutput.
    static func convNet(_ conv: [String: String], fc: [String: String] = [:]) -> Symbol {
        var g = GraphBuilder()
        let x = g.variable("data")
        let c = g.convolution(x, name: "c", attrs: ["kernel": "(3, 3)", "num_filter": "4", "no_bias": "True"].merging(conv) { $1 })
        let f = g.fullyConnected(c, name: "fc", attrs: ["num_hidden": "3"].merging(fc) { $1 })
        let head = g.output("SoftmaxOutput", f, name: "softmax")
        return g.symbol(heads: [head])
    }

    /// Writes the symbol to a temporary file and loads it back.
    static func roundTrip(_ s: Symbol) throws -> Symbol {
        let folder = TemporaryFolders.url("hostile-symbol")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("hostile-symbol.json")
        try s.write(to: url)
        return try Symbol.load(contentsOf: url)
    }

    static func inferError(_ s: Symbol, data: [Int] = [2, 3, 16, 16], limits: MemoryLimits = MemoryLimits()) throws -> String {
        let loaded = try roundTrip(s)
        do {
            _ = try loaded.inferShapes(inputs: ["data": data], limits: limits)
        } catch let e as GraphError {
            return e.description
        }
        Issue.record("shape inference accepted a hostile graph")
        return ""
    }

    @Test(arguments: [
        ("pad", "(9223372036854775807, 0)", "0...65536"),
        ("pad", "(-1, 0)", "0...65536"),
        ("dilate", "(9223372036854775807, 1)", "1...65536"),
        ("kernel", "(4611686018427387904, 3)", "1...65536"),
        ("stride", "(0, 1)", "1...65536"),
        ("num_filter", "99999999999", "1...2147483647"),
        ("num_group", "0", "1...2147483647"),
    ])
    func windowAndFilterAttributesOutOfRange(attr: String, value: String, range: String) throws {
        let text = try Self.inferError(Self.convNet([attr: value]))
        #expect(text.contains("node 'c'") && text.contains("'\(attr)'") && text.contains(value) && text.contains(range), "\(text)")
    }

    @Test(arguments: ["1e12", "99999999999", "0", "-3"])
    func numHiddenOutOfRange(value: String) throws {
        let text = try Self.inferError(Self.convNet([:], fc: ["num_hidden": value]))
        #expect(text.contains("node 'fc'") && text.contains("num_hidden") && text.contains("1...2147483647"), "\(text)")
    }

    /// In range, but the tensors they imply would not fit: the tensor cap names the node.
    @Test func hugeButInRangeSizesHitTheTensorCap() throws {
        let filters = try Self.inferError(Self.convNet(["num_filter": "2000000000"]))
        #expect(filters.contains("c_weight") && filters.contains("4294967296-byte limit"), "\(filters)")
        let hidden = try Self.inferError(Self.convNet([:], fc: ["num_hidden": "2000000000"]))
        #expect(hidden.contains("fc_weight") && hidden.contains("limit"), "\(hidden)")
        let pad = try Self.inferError(Self.convNet(["pad": "(65536, 65536)"]), data: [64, 3, 16, 16])
        #expect(pad.contains("node 'c'") && pad.contains("limit"), "\(pad)")
    }

    @Test func imageTooLargeForTheTensorCap() throws {
        let text = try Self.inferError(Self.convNet([:]), data: [1, 3, 60000, 60000])
        #expect(text.contains("node 'data'") && text.contains("(1, 3, 60000, 60000)") && text.contains("limit"), "\(text)")
        // The limit is the caller's to set.
        let small = try Self.inferError(Self.convNet([:]), data: [2, 3, 16, 16], limits: MemoryLimits(tensorBytes: 1024))
        #expect(small.contains("1024-byte limit"), "\(small)")
    }

    @Test(arguments: [("eps", "nan"), ("eps", "inf"), ("eps", "-1"), ("momentum", "-inf"), ("momentum", "1.5"), ("grad_scale", "nan")])
    func nonFiniteOrOutOfRangeNumbers(attr: String, value: String) throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let b = g.batchNorm(x, name: "bn", attrs: attr == "grad_scale" ? [:] : [attr: value])
        let f = g.fullyConnected(b, name: "fc", attrs: ["num_hidden": "3"])
        let head = g.output("SoftmaxOutput", f, name: "softmax")
        var s = g.symbol(heads: [head])
        if attr == "grad_scale", let i = s.nodeIndex(named: "softmax") { s.nodes[i].attrs[attr] = value }
        let loaded = try Self.roundTrip(s)
        let e = #expect(throws: GraphError.self) {
            _ = try Executor(symbol: loaded, parameters: ParameterStore(), dataShape: [2, 3, 4, 4], mode: .training)
        }
        #expect(e?.description.contains("'\(attr)'") == true && e?.description.contains("finite") == true, "\(String(describing: e))")
    }

    @Test(arguments: ["0", "2", "3", "-1", "-2", "-4", "4", "x"])
    func batchNormOnAnAxisOtherThanChannels(axis: String) throws {
        var g = GraphBuilder()
        let b = g.batchNorm(g.variable("data"), name: "bn", attrs: ["axis": axis])
        let text = try Self.inferError(g.symbol(heads: [b]))
        #expect(text.contains("node 'bn'") && text.contains("'axis'"), "\(text)")
    }

    @Test func batchNormChannelAxisSpelledNegatively() throws {
        var g = GraphBuilder()
        let b = g.batchNorm(g.variable("data"), name: "bn", attrs: ["axis": "-3"])
        let s = try Self.roundTrip(g.symbol(heads: [b]))
        let r = try s.inferShapes(inputs: ["data": [2, 5, 4, 4]])
        #expect(r.arguments["bn_gamma"] == [5])
    }

    @Test func lossHeadOnAVariable() throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let f = g.fullyConnected(x, name: "fc", attrs: ["num_hidden": "3"])
        _ = f
        let w = NodeEntry(node: 1)  // fc_weight, a variable
        let head = g.output("SoftmaxOutput", w, name: "softmax")
        let text = try Self.inferError(g.symbol(heads: [f, head]), data: [2, 4])
        #expect(text.contains("node 'softmax'") && text.contains("variable"), "\(text)")
    }

    @Test func duplicateVariableNames() throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let w = g.variable("w")
        let w2 = g.variable("w")
        let f = g.op("FullyConnected", name: "fc", attrs: ["num_hidden": "3"], inputs: [x, w, w2])
        let text = try Self.inferError(g.symbol(heads: [f]), data: [2, 4])
        #expect(text.contains("'w'") && text.contains("unique"), "\(text)")
    }

    @Test func emptyWindowTuplesMeanDefaults() throws {
        let s = try Self.roundTrip(Self.convNet(["pad": "()", "stride": "()", "dilate": "()"]))
        let r = try s.inferShapes(inputs: ["data": [2, 3, 16, 16]])
        #expect(r.outputs[NodeEntry(node: s.nodeIndex(named: "c") ?? 0)] == [2, 4, 14, 14])
    }
}
