import Foundation
import TestFixtures
import Testing
import Graph

@Suite struct SymbolCodecTests {
    @Test(arguments: Fixtures.symbolFiles)
    func roundTripsToTheSameJSONValue(file: URL) throws {
        let original = try Data(contentsOf: file)
        let symbol = try Symbol(json: original, source: file.lastPathComponent)
        let written = try symbol.jsonData()
        let a = try JSONSerialization.jsonObject(with: original) as! NSDictionary
        let b = try JSONSerialization.jsonObject(with: written) as! NSDictionary
        #expect(a == b, "\(file.lastPathComponent) changed in a round trip")
        // Our writer copies MXNet's layout, so the bytes match too.
        #expect(written == original, "\(file.lastPathComponent): bytes differ from MXNet's file")
    }

    @Test func readsNodesHeadsAndAttributes() throws {
        let s = try Symbol.load(contentsOf: Fixtures.url("symbols/resnet-18-3x224x224-symbol.json"))
        #expect(s.nodes.count == 173)
        #expect(s.nodes[0] == Node(op: "null", name: "data"))
        #expect(s.nodes[6].op == "BatchNorm" && s.nodes[6].inputs[3] == NodeEntry(node: 4, output: 0, version: 1))
        #expect(s.heads == [NodeEntry(node: 172)])
        #expect(s.attrs["mxnet_version"] == .array([.string("int"), .int(10901)]))
        #expect(try s.nodes[8].tuple("kernel") == [7, 7])
        #expect(try s.nodes[8].bool("no_bias") == true)
        #expect(try s.nodes[8].int("num_group", default: 1) == 1)
        #expect(try s.nodes[6].float("eps") == 2e-5)
        #expect(try s.nodes[14].string("act_type") == "relu")
    }

    @Test(arguments: Fixtures.shapeCases.map(\.symbol))
    func listsArgumentsAndAuxiliaryStatesLikeMXNet(file: URL) throws {
        let s = try Symbol.load(contentsOf: file)
        let shapesFile = file.deletingLastPathComponent().appendingPathComponent(
            file.lastPathComponent.replacingOccurrences(of: "-symbol.json", with: "-shapes.json"))
        let expected = try Fixtures.shapes(shapesFile)
        #expect(Set(s.argumentNames) == Set(expected.arg.keys))
        #expect(Set(s.auxiliaryNames) == Set(expected.aux.keys))
        #expect(s.argumentNames.first == "data" && s.argumentNames.last == "softmax_label")
    }

    @Test func writesAndLoadsAFile() throws {
        let s = try Symbol.load(contentsOf: Fixtures.url("symbols/resnet-20-3x28x28-symbol.json"))
        let dir = TemporaryFolders.url("graphtests")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("m-symbol.json")
        try s.write(to: out)
        try s.write(to: out)  // overwriting works too
        #expect(try Symbol.load(contentsOf: out) == s)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["m-symbol.json"])
    }

    @Test func attributeReadersAcceptMXNetSpellings() throws {
        let n = Node(op: "Convolution", name: "c", attrs: [
            "a": "(3, 3)", "b": "(1,)", "c": "[2, 2]", "d": "5", "t": "true", "f": "0", "x": "abc", "e": "()",
        ])
        #expect(try n.tuple("a") == [3, 3])
        #expect(try n.tuple("b") == [1])
        #expect(try n.tuple("c") == [2, 2])
        #expect(try n.tuple("d") == [5])
        #expect(try n.tuple("e") == [])
        #expect(try n.tuple("missing", default: [1, 1]) == [1, 1])
        #expect(try n.bool("t") && !(try n.bool("f")))
        let e1 = #expect(throws: GraphError.self) { try n.int("x") }
        #expect(e1?.description.contains("'c'") == true && e1?.description.contains("'x'") == true)
        let e2 = #expect(throws: GraphError.self) { try n.int("num_filter") }
        #expect(e2?.description.contains("num_filter") == true)
        #expect(throws: GraphError.self) { try n.bool("x") }
        #expect(throws: GraphError.self) { try n.tuple("x") }
    }
}

@Suite struct SymbolErrorTests {
    static let source = "resnet-18-3x32x32-symbol.json"
    static var original: Data { try! Data(contentsOf: Fixtures.url("symbols/" + source)) }

    @Test(arguments: [0, 1, 10, 100, 1000, 20000, 40000, 40453])
    func truncatedJSONNamesTheFile(cut: Int) throws {
        let e = #expect(throws: GraphError.self) { try Symbol(json: Self.original.prefix(cut), source: Self.source) }
        #expect(e?.description.contains(Self.source) == true)
    }

    @Test func structuralErrorsNameTheFileAndNode() throws {
        func check(_ text: String, mentions: [String]) {
            let e = #expect(throws: GraphError.self) { try Symbol(json: Data(text.utf8), source: "bad.json") }
            for m in ["bad.json"] + mentions { #expect(e?.description.contains(m) == true, "\(e?.description ?? "no error") lacks \(m)") }
        }
        check("[]", mentions: ["object"])
        check(#"{"heads": []}"#, mentions: ["nodes"])
        check(#"{"nodes": [{"op": "null", "name": "a", "inputs": []}]}"#, mentions: ["heads"])
        check(#"{"nodes": [{"op": "null", "name": "a", "inputs": [[1, 0, 0]]}], "heads": []}"#, mentions: ["'a'", "node 1"])
        check(#"{"nodes": [{"op": "Flatten", "name": "f", "inputs": [[0, 0, 0]]}], "heads": []}"#, mentions: ["'f'"])
        check(#"{"nodes": [{"name": "f", "inputs": []}], "heads": []}"#, mentions: ["op"])
        check(#"{"nodes": [{"op": "null", "name": "a", "attrs": {"k": 3}, "inputs": []}], "heads": [[0, 0, 0]]}"#, mentions: ["'a'", "'k'"])
        check(#"{"nodes": [{"op": "null", "name": "a", "inputs": []}], "heads": [[5, 0, 0]]}"#, mentions: ["heads"])
        check(#"{"nodes": [], "heads": [], "arg_nodes": [3]}"#, mentions: ["arg_nodes"])
        check("{\"nodes\": [\u{1}]}", mentions: ["line 1"])
        check(#"{"nodes": [{"op": "null", "name": "a", "inputs": []}], "heads": [[0, 0, 0]], "node_row_ptr": [0]}"#, mentions: ["node_row_ptr"])
    }

    @Test func legacyAttributeKeysAreRead() throws {
        let text = #"{"nodes": [{"op": "null", "name": "data", "inputs": []}, {"op": "Activation", "name": "r", "param": {"act_type": "relu"}, "inputs": [[0, 0]]}], "arg_nodes": [0], "heads": [[1, 0]]}"#
        let s = try Symbol(json: Data(text.utf8), source: "old.json")
        #expect(s.nodes[1].attrs == ["act_type": "relu"])
        #expect(s.heads == [NodeEntry(node: 1)])
        #expect(try s.inferShapes(inputs: ["data": [2, 3]]).outputs[NodeEntry(node: 1)] == [2, 3])
    }
}
