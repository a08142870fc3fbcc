import Foundation
import Testing
import Graph

@Suite struct ShapeInferenceTests {
    /// The parameterized tests take their cases from the fixture folder (`symbols/` of the
    /// shared fixtures): a missing or moved folder must fail here, not run zero cases.
    @Test func everySymbolFixtureIsFound() {
        #expect(Fixtures.shapeCases.count == 13, "\(Fixtures.shapeCases.map(\.symbol.lastPathComponent))")
        #expect(Fixtures.symbolFiles.count == 15)
        for c in Fixtures.shapeCases {
            #expect(FileManager.default.fileExists(atPath: c.shapes.path), "no \(c.shapes.lastPathComponent)")
        }
    }

    @Test(arguments: Fixtures.shapeCases.map(\.symbol))
    func matchesMXNetsInferredShapes(file: URL) throws {
        let c = Fixtures.shapeCases.first { $0.symbol == file }!
        let s = try Symbol.load(contentsOf: c.symbol)
        let inferred = try s.inferShapes(inputs: ["data": [2] + c.chw])
        let expected = try Fixtures.shapes(c.shapes)
        #expect(inferred.arguments == expected.arg)
        #expect(inferred.auxiliary == expected.aux)
        let out = try Fixtures.json(c.shapes) as! [String: Any]
        #expect(inferred.headShapes(of: s) == [out["output"] as! [Int]])
        // Every output of every node has a shape.
        for (i, node) in s.nodes.enumerated() {
            for o in 0..<(s.nodeRowPtr[i + 1] - s.nodeRowPtr[i]) {
                #expect(inferred.outputs[NodeEntry(node: i, output: o)] != nil, "no shape for \(node.name) output \(o)")
            }
        }
    }

    @Test func multiLabelLabelHasTheOutputsShape() throws {
        let s = try Symbol.load(contentsOf: Fixtures.url("models/resnet20-3x28x28-multilabel/image-classification-symbol.json"))
        let r = try s.inferShapes(inputs: ["data": [3, 3, 28, 28]])
        #expect(r.arguments["softmax_label"] == [3, 5])
        #expect(r.arguments["fc1_weight"] == [5, 64])
    }

    @Test func givenShapesAreCheckedAndNamed() throws {
        let s = try Symbol.load(contentsOf: Fixtures.url("symbols/resnet-20-3x28x28-symbol.json"))
        let e1 = #expect(throws: GraphError.self) {
            try s.inferShapes(inputs: ["data": [2, 3, 28, 28], "conv0_weight": [16, 1, 3, 3]])
        }
        #expect(e1 == .shapeMismatch(array: "conv0_weight", expected: [16, 3, 3, 3], found: [16, 1, 3, 3]))
        #expect(e1?.description.contains("conv0_weight") == true)
        let e2 = #expect(throws: GraphError.self) { try s.inferShapes(inputs: ["data": [2, 3, 28, 28], "softmax_label": [3]]) }
        #expect(e2 == .shapeMismatch(array: "softmax_label", expected: [2], found: [3]))
        let e3 = #expect(throws: GraphError.self) { try s.inferShapes(inputs: ["data": [2, 3, 28, 28], "dta": [1]]) }
        #expect(e3?.description.contains("dta") == true)
        let e4 = #expect(throws: GraphError.self) { try s.inferShapes(inputs: [:]) }
        #expect(e4?.description.contains("data") == true)
        // A 1-channel image into a 3-channel model: the BatchNorm parameters disagree.
        let e5 = #expect(throws: GraphError.self) {
            try s.inferShapes(inputs: ["data": [2, 1, 28, 28], "bn_data_gamma": [3]])
        }
        #expect(e5 == .shapeMismatch(array: "bn_data_gamma", expected: [1], found: [3]))
        // Data without spatial axes cannot go through a 2-d convolution.
        let e6 = #expect(throws: GraphError.self) { try s.inferShapes(inputs: ["data": [1, 3, 224]]) }
        #expect(e6?.description.contains("node 'conv0'") == true)
        // An image smaller than a kernel.
        let e7 = #expect(throws: GraphError.self) { try s.inferShapes(inputs: ["data": [1, 3, 0, 0]]) }
        #expect(e7?.description.contains("node 'conv0'") == true)
    }

    @Test func unknownOperatorNamesNodeAndOp() throws {
        var s = try Symbol.load(contentsOf: Fixtures.url("symbols/resnet-20-3x28x28-symbol.json"))
        let i = s.nodeIndex(named: "stage1_unit1_relu1")!
        s.nodes[i].op = "LeakyReLU6"
        let e = #expect(throws: GraphError.self) { try s.inferShapes(inputs: ["data": [2, 3, 28, 28]]) }
        #expect(e == .unknownOp(node: "stage1_unit1_relu1", op: "LeakyReLU6"))
        #expect(e?.description.contains("stage1_unit1_relu1") == true && e?.description.contains("LeakyReLU6") == true)
    }

    /// Small graphs exercising the formulas the ResNets do not reach.
    @Test func operatorFormulas() throws {
        var g = GraphBuilder()
        let x = g.variable("data")
        let c = g.convolution(x, name: "c", attrs: ["kernel": "(3, 3)", "num_filter": "8", "stride": "(2, 2)",
                                                    "dilate": "(2, 2)", "num_group": "2", "pad": "(1, 1)"])
        let p1 = g.op("Pooling", name: "pv", attrs: ["kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "avg"], inputs: [c])
        let p2 = g.op("Pooling", name: "pf", attrs: ["kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "max",
                                                     "pooling_convention": "full"], inputs: [c])
        let f = g.fullyConnected(p2, name: "fc", attrs: ["num_hidden": "4", "no_bias": "True", "flatten": "False"])
        let id = g.op("identity", name: "i", inputs: [f])
        let s = g.symbol(heads: [p1, id])
        let r = try s.inferShapes(inputs: ["data": [1, 4, 12, 12]])
        // (12 + 2 - (2*2+1)) / 2 + 1 = 5
        #expect(r.arguments["c_weight"] == [8, 2, 3, 3] && r.arguments["c_bias"] == [8])
        #expect(r.outputs[NodeEntry(node: c.node)] == [1, 8, 5, 5])
        #expect(r.outputs[NodeEntry(node: p1.node)] == [1, 8, 2, 2])  // floor((5-2)/2)+1
        #expect(r.outputs[NodeEntry(node: p2.node)] == [1, 8, 3, 3])  // ceil((5-2)/2)+1
        #expect(r.arguments["fc_weight"] == [4, 3] && r.arguments["fc_bias"] == nil)
        #expect(r.headShapes(of: s) == [[1, 8, 2, 2], [1, 8, 3, 4]])
    }
}
