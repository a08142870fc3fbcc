import Foundation
import ServiceLifecycle

/// How requests are grouped into forward passes.
public struct BatchingOptions: Sendable {
    /// Most images in one forward pass.
    public var maxBatch: Int
    /// How long the first request of a batch waits for others to join it.
    public var maxDelay: Duration
    /// Requests waiting beyond this many are refused (HTTP 503) rather than queued.
    public var maxQueue: Int
    /// A request still waiting for its batch after this long is answered 503 instead of
    /// being computed late (the service's model server timeout, 60 s by default).
    public var timeout: Duration

    public init(maxBatch: Int = 32, maxDelay: Duration = .milliseconds(5), maxQueue: Int = 1024, timeout: Duration = .seconds(60)) {
        self.maxBatch = maxBatch
        self.maxDelay = maxDelay
        self.maxQueue = maxQueue
        self.timeout = timeout
    }
}

/// Groups concurrent requests into batches and runs them on one compute thread it owns.
///
/// Callers `await submit(...)` from any task; the request joins a queue, and the compute
/// thread takes up to `maxBatch` queued requests at a time (waiting at most `maxDelay` after
/// the first for others to arrive), runs the predictor once for all of them, and resumes
/// each caller with its own result. oneDNN never runs on Swift's cooperative pool, so
/// request handling stays responsive while a batch computes.
// @unchecked Sendable: `options`, `predictor` and `onBatch` are immutable; the queue and the
// stop state are only touched under `condition`; the predictor runs on the compute thread alone.
public final class DynamicBatcher: @unchecked Sendable {
    public let options: BatchingOptions
    private let predictor: Predictor
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var head = 0
    private var stopping = false
    private var stopped = false
    private var finished: [CheckedContinuation<Void, Never>] = []
    /// Called on the compute thread after each batch: its size and how long it took.
    private let onBatch: @Sendable (_ size: Int, _ seconds: Double) -> Void

    private struct Pending {
        var bytes: [UInt8]
        var continuation: CheckedContinuation<Result<[Float], BatcherError>, Never>
        var enqueued = ContinuousClock.now
    }

    public init(predictor: Predictor, options: BatchingOptions = BatchingOptions(),
                onBatch: @escaping @Sendable (_ size: Int, _ seconds: Double) -> Void = { _, _ in }) {
        self.predictor = predictor
        self.options = options
        self.onBatch = onBatch
        let thread = Thread { [self] in self.computeLoop() }
        thread.name = "imgclf-compute"
        thread.start()
    }

    /// Requests waiting for the compute thread.
    public var queued: Int {
        condition.lock(); defer { condition.unlock() }
        return queue.count - head
    }

    /// Classifies one encoded image, batched with whatever else is waiting.
    public func submit(_ bytes: [UInt8]) async -> Result<[Float], BatcherError> {
        await withCheckedContinuation { continuation in
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(returning: .failure(.shuttingDown))
                return
            }
            let waiting = queue.count - head
            if waiting >= options.maxQueue {
                condition.unlock()
                continuation.resume(returning: .failure(.overloaded(queued: waiting)))
                return
            }
            queue.append(Pending(bytes: bytes, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
    }

    /// Stops taking new requests, finishes every queued one, then ends the compute thread.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            if stopped {
                condition.unlock()
                continuation.resume()
                return
            }
            finished.append(continuation)
            condition.signal()
            condition.unlock()
        }
    }

    private func computeLoop() {
        while var batch = nextBatch() {
            let start = ContinuousClock.now
            let timeout = options.timeout
            for late in batch where start - late.enqueued > timeout {
                late.continuation.resume(returning: .failure(.timedOut(seconds: Double(timeout.components.seconds))))
            }
            batch.removeAll { start - $0.enqueued > timeout }
            if batch.isEmpty { continue }
            let results = predictor.predict(batch.map(\.bytes))
            let elapsed = ContinuousClock.now - start
            onBatch(batch.count, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            for (pending, result) in zip(batch, results) {
                pending.continuation.resume(returning: result.mapError { .badImage($0) })
            }
        }
        condition.lock()
        stopped = true
        let waiters = finished
        finished = []
        condition.unlock()
        for w in waiters { w.resume() }
    }

    /// Blocks until there is work; then waits up to `maxDelay` for a full batch. Nil when
    /// stopping and the queue is empty.
    private func nextBatch() -> [Pending]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.count == head && !stopping { condition.wait() }
        if queue.count == head { return nil }
        let delay = options.maxDelay.components
        let deadline = Date(timeIntervalSinceNow: Double(delay.seconds) + Double(delay.attoseconds) * 1e-18)
        while queue.count - head < options.maxBatch && !stopping {
            if !condition.wait(until: deadline) { break }
        }
        let n = min(options.maxBatch, queue.count - head)
        let batch = Array(queue[head..<head + n])
        head += n
        // Compact the queue now and then instead of removing from its front each time.
        if head > 256 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return batch
    }
}

/// As a lifecycle service the batcher runs until graceful shutdown (or cancellation), then
/// finishes its queue: in a ServiceGroup after the HTTP server, it stops after the server
/// has drained the requests in flight (services stop in reverse order).
extension DynamicBatcher: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }
}
