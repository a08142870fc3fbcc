import ArgumentParser
import Distributed
import Foundation
import Serving

/// `imgclf serve`: the container's HTTP contract (`/ping`, `/invocations`,
/// `/execution-parameters`, `/metrics`) on port 8080, with dynamic batching. Async: the
/// server and its batcher run as services of one ServiceGroup until SIGTERM drains them.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP as the managed service's container does (port 8080, /ping, /invocations).")

    @Option(name: .customLong("model"), help: "A model.tar.gz or a model folder (default: JOB_DIR/model).") var model: String?
    @Option(name: .customLong("job-dir"), help: "A job folder laid out as /opt/ml; serves its model/ folder (default: $IMGCLF_JOB_DIR, else /opt/ml).") var jobDir: String?
    @Option(name: .customLong("host"), help: "Address to listen on.") var host = "0.0.0.0"
    @Option(name: .customLong("port"), help: "Port (default: $SAGEMAKER_BIND_TO_PORT, else 8080).") var port: Int?
    @Option(name: .customLong("max-payload-mb"), help: "Request bodies past this many MiB get 413 (default: $SAGEMAKER_MAX_PAYLOAD_IN_MB, else 6).") var maxPayloadMB: Int?
    @Option(name: .customLong("workers"), help: "Threads that decode and resize a batch's images (default: $SAGEMAKER_MODEL_SERVER_WORKERS, else the cores).") var workers: Int?
    @Option(name: .customLong("timeout"), help: "Seconds a request may wait for its batch before a 503 (default: $SAGEMAKER_MODEL_SERVER_TIMEOUT, else 60).") var timeout: Int?
    @Option(name: .customLong("max-batch"), help: "Most images in one forward pass.") var maxBatch = 32
    @Option(name: .customLong("max-batch-delay-ms"), help: "How long a request waits for others to share its batch.") var maxBatchDelayMs = 5
    @OptionGroup var limits: MaxPixelsOption
    @Option(name: .customLong("executor-memory-mb"), help: "Memory (activations and packed weights) the executors kept per batch size may hold together.") var executorMemoryMB = 2048
    @OptionGroup var imageShape: ImageShapeOption
    @OptionGroup var epoch: EpochOption
    @OptionGroup var precision: PrecisionOption
    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay idle (or take to send a request's headers) before it is closed.") var idleTimeout = 60
    @Option(name: .customLong("read-timeout"), help: "Seconds a request's headers and body may take to arrive.") var readTimeout = 30
    @Flag(name: .customLong("batch-transform"), help: "Answer JSON Lines ({\"prediction\": [...]}) when a request's Accept is missing or */*, as in a batch transform job (default: $SAGEMAKER_BATCH).") var batchTransform = false
    @Flag(name: .customLong("no-ui"), help: "Do not answer GET / with the page to try the model (404 instead).") var noUI = false
    @Option(name: .customLong("max-connections"), help: "Open connections at most (at the limit the longest idle one is closed); lowered to fit the descriptor limit.") var maxConnections = 512

    func validate() throws {
        if let maxPayloadMB { try requireRange(maxPayloadMB, 1...1024, option: "--max-payload-mb") }
        if let timeout { try requireRange(timeout, 1...86_400, option: "--timeout") }
        if let workers { try requireRange(workers, 1...256, option: "--workers") }
        try requireRange(maxBatch, 1...1024, option: "--max-batch")
        try requireRange(maxBatchDelayMs, 0...10_000, option: "--max-batch-delay-ms")
        try requireRange(executorMemoryMB, 1...1_048_576, option: "--executor-memory-mb")
        try requireRange(idleTimeout, 1...86_400, option: "--idle-timeout")
        try requireRange(readTimeout, 1...86_400, option: "--read-timeout")
        try requireRange(maxConnections, 1...65_536, option: "--max-connections")
        if let port { try requireRange(port, 0...65_535, option: "--port") }
    }

    func run() async throws {
        // The service's variables first: a typo there is named before the model loads.
        let jobDir = self.jobDir ?? ContainerEnvironment.jobDir
        let modelURL = URL(fileURLWithPath: model ?? (jobDir as NSString).appendingPathComponent("model"))
        let maxPayloadMB = try self.maxPayloadMB ?? fromEnvironment { try ContainerEnvironment.maxPayloadMB() } ?? 6
        let timeout = try self.timeout ?? fromEnvironment { try ContainerEnvironment.modelServerTimeout() } ?? 60
        let port = try self.port ?? fromEnvironment { try ContainerEnvironment.port() } ?? 8080
        _ = try fromEnvironment { try ContainerEnvironment.safePortRange() }
        let batchTransform = try self.batchTransform || fromEnvironment { try ContainerEnvironment.batchTransform() }
        let workers = try self.workers ?? fromEnvironment { try ContainerEnvironment.workers() } ?? ProcessInfo.processInfo.activeProcessorCount
        let predictor = try Predictor(contentsOf: modelURL, options: PredictorOptions(
            maxBatch: maxBatch, maxPixels: limits.maxPixels, executorMemoryBudget: executorMemoryMB << 20,
            preprocessThreads: workers, imageShape: try imageShape.shape(), epoch: epoch.epoch,
            precision: precision.choice().precision, int8: precision.choice().int8))
        let connections = DescriptorLimit.connections(requested: maxConnections)
        if connections < maxConnections {
            FileHandle.standardError.write(Data("imgclf serve: --max-connections lowered from \(maxConnections) to \(connections) to fit the descriptor limit (ulimit -n)\n".utf8))
        }
        var options = ServerOptions(
            host: host, port: port, maxBodyBytes: maxPayloadMB * 1024 * 1024,
            batching: BatchingOptions(maxBatch: maxBatch, maxDelay: .milliseconds(maxBatchDelayMs), timeout: .seconds(timeout)),
            idleTimeout: .seconds(idleTimeout), readTimeout: .seconds(readTimeout), maxConnections: connections)
        options.servesPage = !noUI
        options.defaultFormat = batchTransform ? .jsonLines : .json
        let server = InferenceServer(predictor: predictor, options: options)
        let shape = predictor.imageShape.map(String.init).joined(separator: ",")
        let summary = "model \(modelURL.path): image_shape \(shape), \(predictor.numClasses) classes\(predictor.multiLabel ? " (multi-label)" : "")\(predictor.quantization != nil ? ", int8" : "")\(batchTransform ? "; batch transform: JSON Lines unless Accept says otherwise" : "")"

        let address = host
        let listening = ListeningFlag()
        do {
            try await server.run { port in
                listening.set()
                let page = noUI ? "" : "; a page to try it at http://\(address == "0.0.0.0" ? "localhost" : address):\(port)/"
                FileHandle.standardError.write(Data("imgclf serve: \(summary); listening on \(address):\(port)\(page)\n".utf8))
            }
        } catch where !listening.isSet {
            // NIO's bind error names neither the address nor the port.
            throw ListenError(description: "cannot listen on \(address):\(port): \(error)")
        }
        FileHandle.standardError.write(Data("imgclf serve: drained and stopped\n".utf8))
    }
}

/// Whether the server got as far as listening (an error before that is about the address).
final class ListeningFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
