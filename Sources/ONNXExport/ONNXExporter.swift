import Foundation
import Graph
import Models
import Support

/// A model artifact (ours, MXNet's or the service's) as an ONNX model: opset 17, IR
/// version 8, one input `data` of float32 [batch, C, H, W] with a symbolic batch, one output
/// `probabilities` of float32 [batch, classes] (softmax, or sigmoid for multi-label
/// models), the weights as initializers and ``ExportMetadata`` in `metadata_props`.
///
/// The graph computes what our inference executor computes on the same input; the
/// preprocessing before it (decode, resize, crop) is the user's, as the metadata says.
public struct ONNXExporter: Sendable {
    public static let opsetVersion = 17
    public static let irVersion = 8
    public static let inputName = "data"
    public static let outputName = "probabilities"
    /// The name of the input's and output's symbolic first dimension.
    public static let batchDimension = "batch"
    /// The most initializer bytes one file holds: a protobuf message is at most 2 GiB, and
    /// the graph needs a little room beside the weights.
    public static let initializerLimit = Int(Int32.max) - (16 << 20)

    public let metadata: ExportMetadata
    /// ONNX nodes and initializers written.
    public let nodeCount: Int
    public let initializerCount: Int
    private let model: Onnx_ModelProto

    /// Builds the ONNX model of `artifact`; `imageShape` [C, H, W] overrides the artifact's
    /// (needed for a bare MXNet checkpoint without model-shapes.json).
    public init(artifact: ModelArtifact, imageShape override: [Int]? = nil) throws {
        let source = artifact.source
        let symbol = artifact.symbol
        guard let contract = artifact.preprocessingContract(imageShape: override) else { throw ONNXExportError.noImageShape(source: source) }
        let shape = contract.imageShape
        guard PreprocessingLimits.isValid(imageShape: shape) else {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "image shape \(ONNXExportError.format(shape)) is out of range; expected \(PreprocessingLimits.imageShapeRange)")
        }
        // Every operator first, so an unsupported one is named before anything else is checked.
        let exportable = OperatorRegistry.onnxExportableNames
        for node in symbol.nodes where !node.isVariable && !exportable.contains(node.op) {
            throw ONNXExportError.unsupportedOperator(source: source, node: node.name, op: node.op, supported: exportable)
        }
        guard symbol.heads.count == 1, let head = symbol.heads.first else {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "the graph has \(symbol.heads.count) outputs; a classifier has one")
        }
        guard let dataNode = symbol.nodeIndex(named: Self.inputName), symbol.nodes[dataNode].isVariable else {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "the graph has no input variable named '\(Self.inputName)'")
        }
        guard symbol.nodes.indices.contains(head.node) else {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "the graph's output refers to node \(head.node), which does not exist")
        }
        if head.output != 0 {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "the graph's output is output \(head.output) of '\(symbol.nodes[head.node].name)'; the ONNX export carries only the first output of each operator")
        }

        let shapes = try Self.inferShapes(symbol, imageShape: shape, source: source)
        let headShape = shapes.outputs[NodeEntry(node: head.node, output: 0)] ?? []
        guard headShape.count == 2, headShape[0] == 1, headShape[1] > 0 else {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "the network's output has shape \(ONNXExportError.format(headShape)) at batch 1; expected [batch, classes]")
        }
        let classes = headShape[1]
        if let names = artifact.classNames, names.count != classes {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "\(ModelArtifact.classesFile) has \(names.count) class names but the network has \(classes) classes")
        }

        let walk = GraphWalk(source: source, symbol: symbol, shapes: shapes, parameters: ParameterTable(artifact.parameters),
                             headNode: head.node, dataNode: dataNode)
        let result = try walk.run()
        if result != Self.outputName { walk.identity(from: result, to: Self.outputName) }
        guard walk.initializerBytes <= Self.initializerLimit else {
            throw ONNXExportError.tooLarge(source: source, bytes: walk.initializerBytes, limit: Self.initializerLimit)
        }

        metadata = ExportMetadata(
            classNames: artifact.classNames ?? (0..<classes).map(String.init), namedClasses: artifact.classNames != nil,
            imageShape: shape, multiLabel: contract.multiLabel, outputActivation: Self.activation(of: symbol, head: head.node),
            resizeShorterSide: contract.endpointResize, sourceName: URL(fileURLWithPath: source).lastPathComponent, epoch: artifact.epoch)

        var graph = Onnx_GraphProto()
        graph.name = "imgclf"
        graph.node = walk.nodes
        graph.initializer = walk.initializers
        graph.input = [Proto.floatValueInfo(name: Self.inputName, shape: [nil] + shape, symbol: Self.batchDimension, doc: metadata.preprocessing)]
        graph.output = [Proto.floatValueInfo(name: Self.outputName, shape: [nil, classes], symbol: Self.batchDimension)]
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(Self.opsetVersion)
        var model = Onnx_ModelProto()
        model.irVersion = Int64(Self.irVersion)
        model.opsetImport = [opset]
        model.producerName = "imgclf"
        model.modelVersion = Int64(artifact.epoch)
        model.docString = metadata.modelDoc
        model.graph = graph
        model.metadataProps = metadata.protos
        self.model = model
        nodeCount = walk.nodes.count
        initializerCount = walk.initializers.count
    }

    /// The ONNX file's bytes.
    public func serialized() throws -> Data {
        try model.serializedBytes()
    }

    /// Writes the file atomically (a temporary file beside it, then a rename): `url` holds
    /// the old file or the whole new one, never a part.
    public func write(to url: URL) throws {
        let data = try serialized()
        do { try AtomicFile.write(data, to: url) } catch let error as AtomicFile.WriteError {
            throw ONNXExportError.write(file: url.path, detail: error.detail)
        }
    }

    // MARK: - Checks

    /// Graph's shape inference at batch 1 (operators the executor does not run but that pass
    /// their input through at inference, such as Dropout, read as identities), and a second
    /// time at batch 2: the weights must not depend on the batch, or the ONNX graph could not
    /// take a symbolic one.
    static func inferShapes(_ symbol: Symbol, imageShape: [Int], source: String) throws -> InferredShapes {
        let inferable = symbol.describedIdentitiesAsCopies()
        let one: InferredShapes, two: InferredShapes
        do {
            one = try inferable.inferShapes(inputs: [inputName: [1] + imageShape])
            two = try inferable.inferShapes(inputs: [inputName: [2] + imageShape])
        } catch let error as GraphError {
            throw ONNXExportError.invalidGraph(source: source, detail: error.description)
        }
        if let dependent = one.batchDependentParameter(comparedWith: two, inputs: symbol.batchInputs(dataName: inputName)) {
            throw ONNXExportError.unsupportedGraph(source: source, detail: "parameter \(dependent.name) has shape \(ONNXExportError.format(dependent.shape)) at batch 1 but \(ONNXExportError.format(dependent.otherShape ?? [])) at batch 2, so the graph cannot take a dynamic batch")
        }
        return one
    }

    /// `softmax`, `sigmoid` or `none`: the probability function the output comes from,
    /// through the nodes that are identities at inference.
    static func activation(of symbol: Symbol, head: Int) -> String {
        var k = head
        while OperatorRegistry.traits(of: symbol.nodes[k]).inferenceIdentity, let next = symbol.nodes[k].inputs.first?.node {
            k = next
        }
        return OperatorRegistry.traits(of: symbol.nodes[k]).probabilities?.rawValue ?? "none"
    }
}
