import ArgumentParser
import Dispatch
import Foundation
import Serving

/// `imgclf serve`: the container's HTTP contract (`/ping`, `/invocations`,
/// `/execution-parameters`, `/metrics`) on port 8080, with dynamic batching.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a model over HTTP as the managed service's container does (port 8080, /ping, /invocations).")

    @Option(name: .customLong("model"), help: "A model.tar.gz or a model folder (default: JOB_DIR/model).")
    var model: String?
    @Option(name: .customLong("job-dir"), help: "A job folder laid out as /opt/ml; serves its model/ folder.")
    var jobDir = "/opt/ml"
    @Option(name: .customLong("host"), help: "Address to listen on.")
    var host = "0.0.0.0"
    @Option(name: .customLong("port"), help: "Port (default: $SAGEMAKER_BIND_TO_PORT, else 8080).")
    var port: Int?
    @Option(name: .customLong("max-payload-mb"), help: "Request bodies past this many MiB get 413.")
    var maxPayloadMB = 6
    @Option(name: .customLong("max-batch"), help: "Most images in one forward pass.")
    var maxBatch = 32
    @Option(name: .customLong("max-batch-delay-ms"), help: "How long a request waits for others to share its batch.")
    var maxBatchDelayMs = 5
    @Option(name: .customLong("max-pixels"), help: "Largest width x height accepted (checked from the image header).")
    var maxPixels = 40_000_000
    @Option(name: .customLong("executor-memory-mb"), help: "Activation memory the executors kept per batch size may hold together.")
    var executorMemoryMB = 2048
    @Option(name: .customLong("image-shape"), help: "C,H,W when the artifact has no model-shapes.json.")
    var imageShape: String?
    @Option(name: .customLong("epoch"), help: "Which *-NNNN.params to load when the artifact holds several.")
    var epoch: Int?

    func run() throws {
        guard maxBatch > 0, maxPayloadMB > 0, maxBatchDelayMs >= 0, maxPixels > 0 else {
            throw ValidationError("--max-batch, --max-payload-mb and --max-pixels must be positive, --max-batch-delay-ms not negative")
        }
        let modelURL = URL(fileURLWithPath: model ?? (jobDir as NSString).appendingPathComponent("model"))
        let predictor = try Predictor(contentsOf: modelURL, options: PredictorOptions(
            maxBatch: maxBatch, maxPixels: maxPixels, executorMemoryBudget: executorMemoryMB << 20,
            imageShape: try parseShape(imageShape), epoch: epoch))
        let port = self.port ?? ProcessInfo.processInfo.environment["SAGEMAKER_BIND_TO_PORT"].flatMap { Int($0) } ?? 8080
        let server = InferenceServer(predictor: predictor, options: ServerOptions(
            host: host, port: port, maxBodyBytes: maxPayloadMB * 1024 * 1024,
            batching: BatchingOptions(maxBatch: maxBatch, maxDelay: .milliseconds(maxBatchDelayMs))))
        let shape = predictor.imageShape.map(String.init).joined(separator: ",")
        let summary = "model \(modelURL.path): image_shape \(shape), \(predictor.numClasses) classes\(predictor.multiLabel ? " (multi-label)" : "")"

        // The server runs on Swift concurrency; this (main) thread only waits for it to end.
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do {
                try await server.run { port in
                    FileHandle.standardError.write(Data("imgclf serve: \(summary); listening on \(host):\(port)\n".utf8))
                }
            } catch { outcome.set(error) }
            done.signal()
        }
        done.wait()
        if let error = outcome.get() { throw error }
        FileHandle.standardError.write(Data("imgclf serve: drained and stopped\n".utf8))
    }
}

/// The server task's error, handed to the waiting main thread.
private final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func set(_ e: any Error) { lock.withLock { error = e } }
    func get() -> (any Error)? { lock.withLock { error } }
}
