import Foundation
import Testing
import Graph
import Models
import TestFixtures

/// The graphs MXNet 1.9.1 built with bench/mx_resnet.py: `symbols/` (copied from
/// shared/fixtures) and `models/` are the fixtures the test targets share; this target's own
/// `Resources/symbols` holds the depths tools/make_depth_symbols.py saved (50, 152 and 200 at
/// height 28).
enum Fixtures {
    static let root = Bundle.module.url(forResource: "Resources", withExtension: nil)!

    /// (file, num_layers, C,H,W, classes, multi-label); each file's `-shapes.json` is beside it.
    static let cases: [(file: URL, layers: Int, chw: [Int], classes: Int, multiLabel: Bool)] = [
        (shared("symbols/resnet-18-3x224x224-symbol.json"), 18, [3, 224, 224], 10, false),
        (shared("symbols/resnet-50-3x224x224-symbol.json"), 50, [3, 224, 224], 10, false),
        (shared("symbols/resnet-20-3x28x28-symbol.json"), 20, [3, 28, 28], 10, false),
        (shared("symbols/resnet-164-1x28x28-symbol.json"), 164, [1, 28, 28], 10, false),
        (shared("symbols/resnet-18-3x32x32-symbol.json"), 18, [3, 32, 32], 10, false),
        (shared("models/resnet20-3x28x28-multilabel/image-classification-symbol.json"), 20, [3, 28, 28], 5, true),
        // Every other depth of the service's set, at each image size MXNet's builder makes it
        // for (50, 152 and 200 at height 28 made by tools/make_depth_symbols.py).
        (shared("symbols/resnet-34-3x224x224-symbol.json"), 34, [3, 224, 224], 10, false),
        (shared("symbols/resnet-101-3x224x224-symbol.json"), 101, [3, 224, 224], 10, false),
        (shared("symbols/resnet-152-3x224x224-symbol.json"), 152, [3, 224, 224], 10, false),
        (shared("symbols/resnet-200-3x224x224-symbol.json"), 200, [3, 224, 224], 10, false),
        (shared("symbols/resnet-32-3x28x28-symbol.json"), 32, [3, 28, 28], 10, false),
        (shared("symbols/resnet-44-3x28x28-symbol.json"), 44, [3, 28, 28], 10, false),
        (shared("symbols/resnet-56-3x28x28-symbol.json"), 56, [3, 28, 28], 10, false),
        (shared("symbols/resnet-110-3x28x28-symbol.json"), 110, [3, 28, 28], 10, false),
        (own("symbols/resnet-50-1x28x28-symbol.json"), 50, [1, 28, 28], 10, false),
        (own("symbols/resnet-152-1x28x28-symbol.json"), 152, [1, 28, 28], 10, false),
        (own("symbols/resnet-200-1x28x28-symbol.json"), 200, [1, 28, 28], 10, false),
    ]

    /// A file of the shared fixtures (`Tests/Fixtures/Resources`).
    static func shared(_ path: String) -> URL { SharedFixtures.url(path) }
    /// A file of this target's `Resources`.
    static func own(_ path: String) -> URL { root.appendingPathComponent(path) }
}

/// MXNet numbers unnamed nodes with a process-wide counter, so a fixture made after
/// others starts at e.g. `_plus369`. Renumber each prefix from 0 in order of appearance,
/// as a fresh process (and our builder) does.
func renumberAutoNames(_ s: Symbol) -> Symbol {
    var s = s
    var counts: [String: Int] = [:]
    for i in s.nodes.indices {
        for prefix in ["_plus", "pooling", "flatten"] where s.nodes[i].name.hasPrefix(prefix)
            && Int(s.nodes[i].name.dropFirst(prefix.count)) != nil {
            s.nodes[i].name = prefix + String(counts[prefix, default: 0])
            counts[prefix, default: 0] += 1
        }
    }
    return s
}

@Suite struct ResNetTests {
    @Test(arguments: Fixtures.cases.indices)
    func buildsExactlyMXNetsGraph(index: Int) throws {
        let c = Fixtures.cases[index]
        let mxnet = renumberAutoNames(try Symbol.load(contentsOf: c.file))
        let ours = try ResNet.symbol(numLayers: c.layers, imageShape: c.chw, numClasses: c.classes, multiLabel: c.multiLabel)
        #expect(ours.nodes.count == mxnet.nodes.count)
        for (i, (a, b)) in zip(ours.nodes, mxnet.nodes).enumerated() where a != b {
            Issue.record("\(c.file.lastPathComponent): node \(i) differs: ours \(a), MXNet \(b)")
            break
        }
        #expect(ours.argNodes == mxnet.argNodes)
        #expect(ours.nodeRowPtr == mxnet.nodeRowPtr)
        #expect(ours.heads == mxnet.heads)
        #expect(ours.attrs == mxnet.attrs)
        // The whole file, as JSON values.
        let a = try JSONSerialization.jsonObject(with: ours.jsonData()) as! NSDictionary
        let b = try JSONSerialization.jsonObject(with: mxnet.jsonData()) as! NSDictionary
        #expect(a == b)
    }

    /// Which of the service's depths MXNet's resnet.py builds at each height (it raises
    /// ValueError for the others): every one of them is accepted, the rest refused by name.
    @Test func serviceDepthsThatMXNetBuildsForEachHeight() {
        #expect(ResNet.serviceDepths.filter { ResNet.builds(numLayers: $0, height: 28) } == [20, 32, 44, 50, 56, 110, 152, 200])
        #expect(ResNet.serviceDepths.filter { ResNet.builds(numLayers: $0, height: 224) } == [18, 34, 50, 101, 152, 200])
        #expect(throws: ModelsError.self) { try ResNet.symbol(numLayers: 18, imageShape: [1, 28, 28], numClasses: 10) }
    }

    @Test func firstGraphOfAProcessIsByteIdenticalToMXNets() throws {
        // resnet-18-3x224x224 was the first graph its MXNet process built: no renumbering needed.
        let original = try Data(contentsOf: Fixtures.shared("symbols/resnet-18-3x224x224-symbol.json"))
        let ours = try ResNet.symbol(numLayers: 18, imageShape: [3, 224, 224], numClasses: 10)
        #expect(try ours.jsonData() == original)
    }

    @Test(arguments: Fixtures.cases.indices.filter { !Fixtures.cases[$0].multiLabel })
    func parameterShapesMatchMXNet(index: Int) throws {
        let c = Fixtures.cases[index]
        let shapesURL = c.file.deletingLastPathComponent()
            .appendingPathComponent(c.file.lastPathComponent.replacingOccurrences(of: "-symbol.json", with: "-shapes.json"))
        let j = try JSONSerialization.jsonObject(with: Data(contentsOf: shapesURL)) as! [String: Any]
        let s = try ResNet.symbol(numLayers: c.layers, imageShape: c.chw, numClasses: c.classes)
        let r = try s.inferShapes(inputs: ["data": [2] + c.chw])
        #expect(r.arguments == j["arg"] as! [String: [Int]])
        #expect(r.auxiliary == j["aux"] as! [String: [Int]])
    }

    @Test(arguments: [(18, 224), (34, 224), (101, 224), (152, 224), (200, 224), (269, 224), (32, 28), (44, 28),
                      (56, 28), (110, 28), (14, 28), (272, 28), (18, 32), (50, 64)])
    func everyOfferedDepthBuildsAndInfers(layers: Int, size: Int) throws {
        let s = try ResNet.symbol(numLayers: layers, imageShape: [3, size, size], numClasses: 7)
        let r = try s.inferShapes(inputs: ["data": [1, 3, size, size]])
        #expect(r.headShapes(of: s) == [[1, 7]])
        #expect(r.arguments["softmax_label"] == [1])
    }

    @Test func multiLabelUsesLogisticRegressionNamedSoftmax() throws {
        let s = try ResNet.symbol(numLayers: 20, imageShape: [3, 28, 28], numClasses: 5, multiLabel: true)
        let head = s.nodes[s.heads[0].node]
        #expect(head.op == "LogisticRegressionOutput" && head.name == "softmax")
        #expect(try s.inferShapes(inputs: ["data": [3, 3, 28, 28]]).arguments["softmax_label"] == [3, 5])
    }

    @Test func invalidSettingsListTheValidValues() {
        let e1 = #expect(throws: ModelsError.self) { try ResNet.symbol(numLayers: 20, imageShape: [3, 224, 224], numClasses: 10) }
        #expect(e1?.description.contains("18, 34, 50, 101, 152, 200") == true)
        #expect(e1?.description.contains("num_layers 20") == true)
        let e2 = #expect(throws: ModelsError.self) { try ResNet.symbol(numLayers: 18, imageShape: [3, 28, 28], numClasses: 10) }
        #expect(e2?.description.contains("20, 32, 44, 50, 56, 110, 152, 200") == true)
        #expect(throws: ModelsError.self) { try ResNet.symbol(numLayers: 152, imageShape: [3, 224], numClasses: 10) }
        #expect(throws: ModelsError.self) { try ResNet.symbol(numLayers: 152, imageShape: [0, 224, 224], numClasses: 10) }
        #expect(throws: ModelsError.self) { try ResNet.symbol(numLayers: 152, imageShape: [3, 224, 224], numClasses: 0) }
    }

    /// A 9n+2 count far beyond ResNet-1001 (which would plan 10^17 units per stage) and the
    /// extremes of Int are refused at once, with a ModelsError.
    @Test(arguments: [900_000_000_000_000_002, 1010, Int.max, Int.min])
    func absurdLayerCountsAreRefusedQuickly(layers: Int) {
        let e = #expect(throws: ModelsError.self) { try ResNet.symbol(numLayers: layers, imageShape: [1, 28, 28], numClasses: 10) }
        #expect(e?.description.contains("num_layers \(layers)") == true && e?.description.contains("to 1001") == true)
    }

    @Test func imageShapeTextParsing() {
        #expect(ImageShape.parse("3, 224,224") == [3, 224, 224])
        #expect(ImageShape.parse("3,224") == nil && ImageShape.parse("3,x,224") == nil && ImageShape.parse("3,224,224,") == nil)
        #expect(ImageShape.parse("3,99999999999999999999,1") == nil)
    }
}
