import Foundation
import Graph
import Models
import ONNXExport
import TestFixtures
import Testing

/// What the export refuses, and how: every error names the artifact and the node, array or
/// file, never a trap.
@Suite(.removesTemporaryFolders)
struct ONNXHostileTests {
    static func fixture() throws -> ModelArtifact { try ModelArtifact.load(from: SharedFixtures.model("resnet8-3x28x28")) }

    static func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "(no error)"
    }

    @Test func anUnsupportedOperatorIsNamedWithItsNode() throws {
        var g = GraphBuilder()
        var x = g.variable("data")
        x = g.op("LRN", name: "local_norm7", attrs: ["nsize": "3"], inputs: [x])
        x = g.fullyConnected(x, name: "fc1", attrs: ["num_hidden": "2"])
        x = g.output("SoftmaxOutput", x, name: "softmax")
        let artifact = ModelArtifact(symbol: g.symbol(heads: [x]), parameters: [], epoch: 0, imageShape: [1, 4, 4], source: "lrn-model")
        let error = #expect(throws: ONNXExportError.self) { try ONNXExporter(artifact: artifact) }
        guard case let .unsupportedOperator(source, node, op, _)? = error else {
            Issue.record("expected unsupportedOperator, got \(String(describing: error))")
            return
        }
        #expect(source == "lrn-model" && node == "local_norm7" && op == "LRN")
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("node 'local_norm7'") && text.contains("'LRN'") && text.contains("Convolution"), "\(text)")
    }

    @Test func aMissingParameterIsNamed() throws {
        var artifact = try Self.fixture()
        artifact.parameters.removeAll { $0.name == "arg:fc1_weight" }
        let text = Self.message { _ = try ONNXExporter(artifact: artifact) }
        #expect(text.contains("fc1_weight") && text.contains("'fc1'"), "\(text)")
    }

    @Test func aParameterOfTheWrongShapeIsNamed() throws {
        var artifact = try Self.fixture()
        let k = try #require(artifact.parameters.firstIndex { $0.name == "arg:fc1_bias" })
        artifact.parameters[k].array = NDArray(shape: [7], floats: Array(repeating: 0, count: 7))
        let text = Self.message { _ = try ONNXExporter(artifact: artifact) }
        #expect(text.contains("fc1_bias") && text.contains("[7]") && text.contains("[4]"), "\(text)")
    }

    @Test func classNamesThatDoNotMatchTheNetworkAreRefused() throws {
        var artifact = try Self.fixture()
        artifact.classNames = ["cat", "dog"]
        let text = Self.message { _ = try ONNXExporter(artifact: artifact) }
        #expect(text.contains("classes.json has 2 class names but the network has 4 classes"), "\(text)")
    }

    @Test func dropoutThatDropsAtInferenceIsRefused() throws {
        var g = GraphBuilder()
        var x = g.variable("data")
        x = g.op("Dropout", name: "mc_dropout", attrs: ["p": "0.3", "mode": "always"], inputs: [x])
        x = g.fullyConnected(x, name: "fc1", attrs: ["num_hidden": "2"])
        x = g.output("SoftmaxOutput", x, name: "softmax")
        let symbol = g.symbol(heads: [x])
        let parameters: [(name: String, array: NDArray)] = [
            ("arg:fc1_weight", NDArray(shape: [2, 4], floats: Array(repeating: 0.1, count: 8))),
            ("arg:fc1_bias", NDArray(shape: [2], floats: [0, 0])),
        ]
        let artifact = ModelArtifact(symbol: symbol, parameters: parameters, epoch: 0, imageShape: [1, 2, 2], source: "mc")
        let text = Self.message { _ = try ONNXExporter(artifact: artifact) }
        #expect(text.contains("node 'mc_dropout'") && text.contains("mode=always"), "\(text)")
    }

    /// A graph whose output is BatchNorm's hidden batch-mean output.
    @Test func aHiddenOutputIsNamed() throws {
        var artifact = try Self.fixture()
        let bn = try #require(artifact.symbol.nodeIndex(named: "bn1"))
        artifact.symbol.heads = [NodeEntry(node: bn, output: 1)]
        let text = Self.message { _ = try ONNXExporter(artifact: artifact) }
        #expect(text.contains("output 1 of 'bn1'"), "\(text)")
    }

    @Test func noImageShapeSaysHowToGiveOne() throws {
        var artifact = try Self.fixture()
        artifact.imageShape = nil
        let text = Self.message { _ = try ONNXExporter(artifact: artifact) }
        #expect(text.contains("--image-shape"), "\(text)")
        // Given, it exports.
        _ = try ONNXExporter(artifact: artifact, imageShape: [3, 28, 28])
    }

    @Test func anOutputInAMissingFolderIsAClearError() throws {
        let exporter = try ONNXExporter(artifact: try Self.fixture())
        let folder = TemporaryFolders.url("absent")
        let file = folder.appendingPathComponent("m.onnx")
        let text = Self.message { try exporter.write(to: file) }
        #expect(text.contains(file.path) && text.contains("the folder \(folder.path) does not exist"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    /// A write replaces the file whole and leaves no temporary file beside it.
    @Test func theWriteIsAtomic() throws {
        let exporter = try ONNXExporter(artifact: try Self.fixture())
        let folder = try TemporaryFolders.make("atomic")
        let file = folder.appendingPathComponent("m.onnx")
        try Data("old".utf8).write(to: file)
        try exporter.write(to: file)
        #expect(try Data(contentsOf: file) == exporter.serialized())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["m.onnx"])
    }
}
