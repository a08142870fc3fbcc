import Foundation
import Graph
import Models
import ONNXExport
import TestFixtures
import Testing

/// The exported file, run in ONNX Runtime (scripts/onnx_run.py, after onnx.checker), gives
/// our executor's probabilities within 1e-5, at two batch sizes through its one symbolic
/// batch dimension: MXNet 1.9.1's artifacts (1- and 3-channel, softmax and multi-label),
/// one of our ResNets, and a small graph with every operator and attribute form the export maps.
@Suite(.removesTemporaryFolders)
struct ONNXParityTests {
    static let tolerance: Float = 1e-5

    /// The MXNet-written fixtures: resnet20 on 1x28x28 (softmax, 10 classes), resnet20 on
    /// 3x28x28 with a sigmoid head (multi-label, 5 classes), resnet8 on 3x28x28 with classes.json.
    @Test(arguments: ["resnet20-1x28x28", "resnet20-3x28x28-multilabel", "resnet8-3x28x28"])
    func mxnetArtifactsMatchOurExecutor(model: String) throws {
        let artifact = try ModelArtifact.load(from: SharedFixtures.model(model))
        let trip = try ExportFixtures.roundTrip(artifact)
        print("\(model): max |ours - ONNX Runtime| = \(trip.maxDiff)")
        #expect(trip.maxDiff <= Self.tolerance, "\(model): max |diff| \(trip.maxDiff)")
        try checkContract(trip, artifact: artifact)
    }

    /// Our own builder's ResNet-8, 1 channel, multi-label, with random weights and class names.
    @Test func ourResNetOneChannelMultiLabel() throws {
        let shape = [1, 28, 28]
        let symbol = try ResNet.symbol(numLayers: 8, imageShape: shape, numClasses: 3, multiLabel: true)
        let parameters = try ExportFixtures.randomParameters(symbol, imageShape: shape, seed: 3)
        let artifact = ModelArtifact(symbol: symbol, parameters: parameters, epoch: 2, imageShape: shape,
                                     classNames: ["needle \"one\"", "thread/two", "pin, three"], source: "resnet8-1x28x28-random")
        let trip = try ExportFixtures.roundTrip(artifact, range: 0...1)
        print("resnet8-1x28x28 (ours, random, multi-label): max |ours - ONNX Runtime| = \(trip.maxDiff)")
        #expect(trip.maxDiff <= Self.tolerance)
        try checkContract(trip, artifact: artifact)
        #expect(trip.info.metadata["class_names"] == #"["needle \"one\"", "thread/two", "pin, three"]"#)
    }

    /// MXNet's own ResNet-18 graph for 3x224x224 (the 7x7 stride-2 stem and the padded max
    /// pooling the small-image graphs lack), with random weights.
    @Test func mxnetResNet18Graph224() throws {
        let shape = [3, 224, 224]
        let symbol = try Symbol.load(contentsOf: SharedFixtures.url("symbols/resnet-18-3x224x224-symbol.json"))
        let parameters = try ExportFixtures.randomParameters(symbol, imageShape: shape, seed: 18)
        let artifact = ModelArtifact(symbol: symbol, parameters: parameters, epoch: 1, imageShape: shape, source: "resnet-18-3x224x224")
        let trip = try ExportFixtures.roundTrip(artifact, batchSizes: [2, 1], range: 0...1)
        print("resnet-18-3x224x224 (MXNet's graph, random weights): max |ours - ONNX Runtime| = \(trip.maxDiff)")
        #expect(trip.maxDiff <= Self.tolerance)
        try checkContract(trip, artifact: artifact)
        #expect(trip.ours.joined().contains { $0 > 0.05 && $0 < 0.95 }, "saturated: \(trip.ours)")
    }

    /// Every operator form the export maps, on 1 and 3 channels of an odd-sized input:
    /// convolution with bias, stride, padding and dilation; BatchNorm with fix_gamma (a stored
    /// gamma that must be ignored) and the default eps, and without; tanh, softrelu, sigmoid
    /// and relu; max pooling "full", average pooling "full" counting the padding and "valid"
    /// without; global max pooling; the three spellings of the sum; identity ops; Flatten;
    /// FullyConnected on 4-D and 2-D data, with and without bias; SoftmaxOutput.
    @Test(arguments: [1, 3])
    func everyOperatorForm(channels: Int) throws {
        let shape = [channels, 13, 11]
        let symbol = Self.everyOperatorGraph(dropout: false)
        let parameters = try ExportFixtures.randomParameters(symbol, imageShape: shape, seed: UInt64(channels))
        let artifact = ModelArtifact(symbol: symbol, parameters: parameters, epoch: 0, imageShape: shape, source: "every-op-\(channels)")
        let trip = try ExportFixtures.roundTrip(artifact, batchSizes: [4, 1], range: -2...2)
        print("every operator, \(channels) channel(s): max |ours - ONNX Runtime| = \(trip.maxDiff)")
        #expect(trip.maxDiff <= Self.tolerance)
        try checkContract(trip, artifact: artifact)
        // Not saturated: the comparison means something.
        #expect(trip.ours.joined().contains { $0 > 0.05 && $0 < 0.95 })
    }

    /// Dropout (which our executor does not run) passes its input through at inference: the
    /// graph with Dropout, exported, equals our executor on the same graph without it.
    @Test func dropoutIsTheIdentityAtInference() throws {
        let shape = [3, 13, 11]
        let withDropout = Self.everyOperatorGraph(dropout: true)
        let without = Self.everyOperatorGraph(dropout: false)
        #expect(withDropout.nodes.contains { $0.op == "Dropout" })
        let parameters = try ExportFixtures.randomParameters(without, imageShape: shape, seed: 11)
        let artifact = ModelArtifact(symbol: withDropout, parameters: parameters, epoch: 0, imageShape: shape, source: "dropout")
        let trip = try ExportFixtures.roundTrip(artifact, reference: without, batchSizes: [2, 1], range: -2...2)
        print("with Dropout: max |ours - ONNX Runtime| = \(trip.maxDiff)")
        #expect(trip.maxDiff <= Self.tolerance)
    }

    /// What every exported file must say: ONNX's checker passed, opset >= 17 of the default
    /// domain, IR version 8, input `data` [batch, C, H, W] and output `probabilities`
    /// [batch, classes] with one symbolic batch, both batch sizes run, the class names, the
    /// multi-label flag and the preprocessing in the metadata.
    func checkContract(_ trip: ExportFixtures.RoundTrip, artifact: ModelArtifact) throws {
        let info = trip.info, m = trip.exporter.metadata
        #expect(info.checked)
        #expect(info.ir_version == 8)
        #expect(info.opset.contains { $0.domain == "" && $0.version >= 17 }, "\(info.opset)")
        #expect(info.producer == "imgclf")
        let batch = ONNXRuntime.Dimension.symbolic("batch")
        #expect(info.inputs.map(\.name) == ["data"])
        #expect(info.inputs.first?.dims == [batch] + m.imageShape.map { .fixed($0) })
        #expect(info.outputs.map(\.name) == ["probabilities"])
        #expect(info.outputs.first?.dims == [batch, .fixed(m.classNames.count)])
        #expect(info.runs.map(\.batch) == trip.ours.map { $0.count / m.classNames.count })
        #expect(info.runs.map(\.output_shape) == info.runs.map { [$0.batch, m.classNames.count] })

        let names = try JSONDecoder().decode([String].self, from: Data((info.metadata["class_names"] ?? "").utf8))
        #expect(names == (artifact.classNames ?? (0..<names.count).map(String.init)))
        #expect(names.count == m.classNames.count && !names.isEmpty)
        let multiLabel = artifact.symbol.nodes.contains { $0.op == "LogisticRegressionOutput" }
        #expect(info.metadata["multi_label"] == (multiLabel ? "true" : "false"))
        #expect(info.metadata["output_activation"] == (multiLabel ? "sigmoid" : "softmax"))
        #expect(info.metadata["image_shape"] == m.imageShape.map(String.init).joined(separator: ","))
        #expect(info.metadata["input_range"] == "0-255")
        #expect(info.metadata["input_color"] == (m.imageShape[0] == 1 ? "grayscale" : "RGB"))
        #expect(info.metadata["resize_shorter_side"] == String(m.imageShape[1]))
    }

    /// The graph of ``everyOperatorForm(channels:)``; with `dropout`, two Dropout nodes as well
    /// (one after the first convolution's activation, one before the classifier).
    static func everyOperatorGraph(dropout: Bool) -> Symbol {
        var g = GraphBuilder()
        var x = g.variable("data")
        x = g.convolution(x, name: "conv1", attrs: ["kernel": "(3, 3)", "stride": "(2, 2)", "pad": "(1, 1)", "num_filter": "6"])
        x = g.batchNorm(x, name: "bn_fixed", attrs: ["fix_gamma": "True"])
        x = g.activation(x, name: "tanh1", actType: "tanh")
        if dropout { x = g.op("Dropout", name: "drop1", attrs: ["p": "0.5"], inputs: [x]) }
        x = g.op("Pooling", name: "maxfull", attrs: ["kernel": "(3, 3)", "stride": "(2, 2)", "pool_type": "max", "pooling_convention": "full"], inputs: [x])
        x = g.batchNorm(x, name: "bn2", attrs: ["fix_gamma": "False", "eps": "2e-05", "momentum": "0.9"])
        let soft = g.activation(x, name: "softrelu1", actType: "softrelu")
        let c2 = g.convolution(soft, name: "conv2", attrs: ["kernel": "(3, 3)", "pad": "(2, 2)", "dilate": "(2, 2)", "num_filter": "6", "no_bias": "True"])
        x = g.add(c2, soft)
        x = g.op("Pooling", name: "avgfull", attrs: ["kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "avg", "pooling_convention": "full"], inputs: [x])
        x = g.op("_copy", name: "copy1", inputs: [x])
        x = g.op("Pooling", name: "avgvalid", attrs: ["kernel": "(3, 3)", "pad": "(1, 1)", "pool_type": "avg", "count_include_pad": "False"], inputs: [x])
        let sig = g.activation(x, name: "sigmoid1", actType: "sigmoid")
        let gmax = g.op("Pooling", name: "gmax", attrs: ["global_pool": "True", "kernel": "(1, 1)", "pool_type": "max"], inputs: [sig])
        let flat = g.op("Flatten", name: "flatten0", inputs: [gmax])
        let fcg = g.fullyConnected(flat, name: "fcg", attrs: ["num_hidden": "8"])
        let fc1 = g.activation(g.fullyConnected(sig, name: "fc1", attrs: ["num_hidden": "8"]), name: "relu1")
        x = g.op("broadcast_add", name: "sum2", inputs: [fc1, fcg])
        x = g.op("_Plus", name: "sum3", inputs: [x, fcg])
        x = g.op("identity", name: "ident", inputs: [x])
        x = g.op("flatten", name: "flatten1", inputs: [x])
        if dropout { x = g.op("Dropout", name: "drop2", attrs: ["p": "0.2"], inputs: [x]) }
        x = g.fullyConnected(x, name: "fc2", attrs: ["num_hidden": "5", "no_bias": "True"])
        x = g.output("SoftmaxOutput", x, name: "softmax")
        return g.symbol(heads: [x])
    }
}
