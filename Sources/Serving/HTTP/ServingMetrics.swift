import Prometheus

/// The server's Prometheus metrics, exposed at `GET /metrics`:
/// `imgclf_http_requests_total{path,status}`, `imgclf_http_request_duration_seconds{path}`,
/// `imgclf_inference_batch_size`, `imgclf_inference_batch_duration_seconds`,
/// `imgclf_inference_batches_total`, `imgclf_inference_images_total` and
/// `imgclf_errors_total{reason}`.
public final class ServingMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let batchSize: ValueHistogram
    private let batchDuration: DurationHistogram
    private let batches: Counter
    private let images: Counter
    static let latencyBuckets: [Duration] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10].map {
        .nanoseconds(Int64($0 * 1e9))
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        batchSize = registry.makeValueHistogram(
            descriptor: .init(namespace: "imgclf", metricName: "inference_batch", unitName: "size",
                              helpText: "Images per forward pass"),
            buckets: [1, 2, 4, 8, 16, 32, 64, 128])
        batchDuration = registry.makeDurationHistogram(
            descriptor: .init(namespace: "imgclf", metricName: "inference_batch_duration", unitName: "seconds",
                              helpText: "Decode, preprocess and forward time of one batch"),
            buckets: Self.latencyBuckets)
        batches = registry.makeCounter(
            descriptor: .init(namespace: "imgclf", metricName: "inference_batches", unitName: "total",
                              helpText: "Forward passes run"))
        images = registry.makeCounter(
            descriptor: .init(namespace: "imgclf", metricName: "inference_images", unitName: "total",
                              helpText: "Images sent to the network"))
    }

    /// One finished HTTP request.
    public func request(path: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: .init(namespace: "imgclf", metricName: "http_requests", unitName: "total",
                              helpText: "HTTP requests by path and status code"),
            labels: [("path", path), ("status", String(status))]).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "imgclf", metricName: "http_request_duration", unitName: "seconds",
                              helpText: "Time from request to response"),
            labels: [("path", path)], buckets: Self.latencyBuckets).record(duration)
    }

    /// One request that was answered with an error, by reason (`unsupported_media_type`,
    /// `bad_image`, `body_too_large`, `overloaded`, ...).
    public func error(_ reason: String) {
        registry.makeCounter(
            descriptor: .init(namespace: "imgclf", metricName: "errors", unitName: "total",
                              helpText: "Requests answered with an error, by reason"),
            labels: [("reason", reason)]).increment()
    }

    /// One forward pass of `size` images that took `seconds`.
    public func batch(size: Int, seconds: Double) {
        batchSize.record(Double(size))
        batchDuration.record(.nanoseconds(Int64(seconds * 1e9)))
        batches.increment()
        images.increment(by: Int64(size))
    }

    /// The exposition text.
    public func emit() -> String { registry.emitToString() }
}
