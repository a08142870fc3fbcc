import Foundation
import Graph
import Models
import Serving
import TestFixtures
import Testing

/// Models that could crash or corrupt the server: a graph valid only at batch 1, NaN
/// weights, hyperparameters sizing huge buffers. Each is built here and must become an
/// answer or a load error that names the file and field.
@Suite(.serialized, .removesTemporaryFolders)
struct HostileModelTests {
    /// data -> FullyConnected(3) -> broadcast_add(bias2) -> softmax, with bias2 of shape
    /// [1, 3]: the shapes hold at batch 1 only (at batch n bias2 would become [n, 3]).
    static func batchOneOnlyModel(in folder: URL) throws -> URL {
        var b = GraphBuilder()
        let data = b.variable("data")
        let flat = b.op("Flatten", name: "flatten0", inputs: [data])
        let fc = b.fullyConnected(flat, name: "fc1", attrs: ["num_hidden": "3"])
        let bias = b.variable("bias2")
        let sum = b.op("broadcast_add", name: "badd", inputs: [fc, bias])
        let out = b.output("SoftmaxOutput", sum, name: "softmax")
        let inputs = 3 * 28 * 28
        let artifact = ModelArtifact(
            symbol: b.symbol(heads: [out]),
            parameters: [("arg:fc1_weight", NDArray(shape: [3, inputs], floats: (0..<(3 * inputs)).map { Float($0 % 7) * 1e-4 })),
                         ("arg:fc1_bias", NDArray(shape: [3], floats: [0, 0.1, 0.2])),
                         ("arg:bias2", NDArray(shape: [1, 3], floats: [0.3, 0, -0.3]))],
            epoch: 0, imageShape: [3, 28, 28])
        let url = folder.appendingPathComponent("batch1")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        _ = try artifact.write(to: url)
        return url
    }

    /// The executor checks every parameter at two batch sizes, so such a model is refused
    /// when it loads (predict errors, serve does not start), naming the parameter.
    @Test func graphValidOnlyAtBatchOneIsRefusedAtLoad() throws {
        let folder = Fixtures.temporaryFolder("batch1")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try Self.batchOneOnlyModel(in: folder)
        #expect {
            _ = try Predictor(contentsOf: model, options: PredictorOptions(maxBatch: 8))
        } throws: { error in
            let message = "\(error)"
            return message.contains("bias2") && message.contains("depends on the batch size")
        }
    }

    /// data -> FullyConnected(3) -> `head`: a graph that ends in logits (or a ReLU) unless
    /// `head` is a probability op.
    static func headModel(in folder: URL, head: (inout GraphBuilder, NodeEntry) -> NodeEntry) throws -> URL {
        var b = GraphBuilder()
        let data = b.variable("data")
        let flat = b.op("Flatten", name: "flatten0", inputs: [data])
        let fc = b.fullyConnected(flat, name: "fc1", attrs: ["num_hidden": "3"])
        let out = head(&b, fc)
        let inputs = 3 * 28 * 28
        let artifact = ModelArtifact(
            symbol: b.symbol(heads: [out]),
            parameters: [("arg:fc1_weight", NDArray(shape: [3, inputs], floats: (0..<(3 * inputs)).map { Float($0 % 7) * 1e-4 })),
                         ("arg:fc1_bias", NDArray(shape: [3], floats: [0, 0.1, 0.2]))],
            epoch: 0, imageShape: [3, 28, 28])
        let url = folder.appendingPathComponent("head-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        _ = try artifact.write(to: url)
        return url
    }

    /// Logits would be printed as probabilities: a graph not ending in a softmax or logistic
    /// head is refused at load, naming the op and node it ends with.
    @Test func graphEndingInLogitsIsRefusedAtLoad() throws {
        let folder = Fixtures.temporaryFolder("logits")
        defer { try? FileManager.default.removeItem(at: folder) }
        let logits = try Self.headModel(in: folder) { _, fc in fc }
        #expect {
            _ = try Predictor(contentsOf: logits)
        } throws: { error in
            let message = "\(error)"
            return message.contains("ends in FullyConnected (node fc1)") && message.contains("does not output probabilities")
        }
        let relu = try Self.headModel(in: folder) { b, fc in b.op("Activation", name: "relu9", attrs: ["act_type": "relu"], inputs: [fc]) }
        #expect {
            _ = try Predictor(contentsOf: relu)
        } throws: { error in "\(error)".contains("ends in Activation(act_type=relu) (node relu9)") }
        // The heads training writes load, behind an identity too.
        let softmax = try Self.headModel(in: folder) { b, fc in
            let softmax = b.output("SoftmaxOutput", fc, name: "softmax")
            return b.op("identity", name: "copy0", inputs: [softmax])
        }
        #expect(try Predictor(contentsOf: softmax).numClasses == 3)
        let sigmoid = try Self.headModel(in: folder) { b, fc in b.op("Activation", name: "sig", attrs: ["act_type": "sigmoid"], inputs: [fc]) }
        #expect(try Predictor(contentsOf: sigmoid).numClasses == 3)
    }

    /// --precision int8 on an artifact whose quantization.json calibrates no convolution would
    /// run everything in float32: an error says so.
    @Test func int8WithNoQuantizedConvolutionIsRefused() throws {
        var artifact = try ModelArtifact.load(from: Fixtures.model("resnet8-3x28x28"))
        artifact.quantization = QuantizationTable(convolutions: [:])
        #expect {
            _ = try Predictor(artifact: artifact, options: PredictorOptions(maxBatch: 2, int8: .required))
        } throws: { error in
            "\(error)".contains("calibrates no convolution") && "\(error)".contains("--precision int8")
        }
    }

    /// Eight concurrent requests on a model that only fails once they are batched: a
    /// server started on a good model, with a request mix, answers every one with JSON.
    @Test func serverAnswersConcurrentRequestsWithJSON() async throws {
        var options = ServerOptions(host: "127.0.0.1", port: 0, batching: BatchingOptions(maxBatch: 8, maxDelay: .milliseconds(300)), handleSignals: false)
        options.port = 0
        let predictor = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28"), options: PredictorOptions(maxBatch: 8))
        let server = InferenceServer(predictor: predictor, options: options)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let running = Task { try await server.run { continuation.yield($0) } }
        var it = ports.makeAsyncIterator()
        let port = try #require(await it.next())
        let replies = try await withThrowingTaskGroup(of: HTTPReply.self) { group in
            for i in 0..<8 {
                let body = i % 2 == 0 ? Fixtures.bytes("rgb0.png") : Array("garbage".utf8)
                group.addTask { try await HTTP.post(port: port, body, type: "image/png") }
            }
            return try await group.reduce(into: [HTTPReply]()) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 200 }.count == 4)
        #expect(replies.filter { $0.status == 400 }.count == 4)
        for reply in replies {
            #expect((try? JSONSerialization.jsonObject(with: reply.body)) != nil, "\(reply.text)")
        }
        #expect(try await HTTP.send("GET", port: port, path: "/ping").status == 200)
        await server.shutdown()
        try await running.value
    }

    /// NaN weights: no `nan` in any JSON; the image gets a clear error instead.
    @Test func nanWeightsGiveAnErrorAndValidJSON() throws {
        var artifact = try ModelArtifact.load(from: Fixtures.model("resnet8-3x28x28"))
        let index = try #require(artifact.parameters.firstIndex { $0.name.hasSuffix("fc1_weight") })
        let shape = artifact.parameters[index].array.shape
        artifact.parameters[index].array = NDArray(shape: shape, floats: Array(repeating: .nan, count: shape.reduce(1, *)))
        let predictor = try Predictor(artifact: artifact)
        let result = predictor.predict([Fixtures.bytes("rgb0.png")])[0]
        guard case .failure(let error) = result else { Issue.record("NaN weights answered \(result)"); return }
        #expect(error.description.contains("not finite"), "\(error)")
        let line = PredictionOutput.line(file: "x.png", probabilities: [.nan, .infinity], k: 2, classNames: nil)
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
        #expect(!line.contains("nan") && !line.contains("inf"))
    }

    /// Hyperparameters and shapes sized to overflow or exhaust memory are refused at load,
    /// naming the file, the field and the range.
    @Test(arguments: [
        (["resize": "1000000000000000000"], nil as [Int]?, "resize"),
        (["resize": "1e30"], nil, "resize"),
        (["num_classes": "9223372036854775807"], nil, "num_classes"),
        (["image_shape": "3,60000,60000"], nil, "image_shape"),
        ([:], [3, 60000, 60000], "image_shape"),
        ([:], [3, 8192, 8192], "max batch"),
    ] as [([String: String], [Int]?, String)])
    func hostileHyperparametersAreRefused(hyper: [String: String], shape: [Int]?, field: String) throws {
        let folder = Fixtures.temporaryFolder("hyper")
        defer { try? FileManager.default.removeItem(at: folder) }
        var artifact = try ModelArtifact.load(from: Fixtures.model("resnet8-3x28x28"))
        artifact.hyperparameters = hyper
        artifact.imageShape = shape ?? (hyper["image_shape"] == nil ? [3, 28, 28] : nil)
        _ = try artifact.write(to: folder)
        #expect {
            _ = try Predictor(contentsOf: folder)
        } throws: { error in
            let text = "\(error)"
            let file = shape != nil ? "model-shapes.json" : "hyperparameters.json"
            return text.contains(folder.path) && text.contains(file) && text.contains(field) && text.contains("expected")
        }
    }
}
