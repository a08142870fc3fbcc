import Foundation
import Synchronization
import Hummingbird
import HummingbirdCore
import NIOCore
import ServiceLifecycle
import Support

/// How the HTTP server listens and batches.
public struct ServerOptions: Sendable {
    public var host: String
    /// 0 picks a free port (reported to `run`'s `onReady`).
    public var port: Int
    /// Request bodies past this many bytes are answered with 413 (the service's 6 MB).
    public var maxBodyBytes: Int
    public var batching: BatchingOptions
    /// `MaxConcurrentTransforms` advertised at `GET /execution-parameters`; nil: the maximum batch.
    public var maxConcurrentTransforms: Int?
    /// Drain and exit on SIGTERM and SIGINT (off for servers run inside tests).
    public var handleSignals: Bool
    /// A connection with no request in progress is closed after this long (this also
    /// bounds how long a request's headers may take to arrive).
    public var idleTimeout: Duration
    /// A request's headers and body must arrive within this long, else its connection closes.
    public var readTimeout: Duration
    /// Open connections at most; at the limit the longest idle one is closed for a new one.
    public var maxConnections: Int
    /// On shutdown, how long an idle connection stays open for a request already on its way.
    public var drainGrace: Duration
    /// `GET /` answers with a page to try the model (`serve --no-ui` turns it off: 404).
    public var servesPage: Bool = true
    /// The answer format of `/invocations` when `Accept` is missing or a wildcard: JSON, or
    /// JSON Lines in a batch transform job (`SAGEMAKER_BATCH=true`), as the service answers.
    public var defaultFormat: ResponseFormat = .json

    public init(host: String = "0.0.0.0", port: Int = 8080, maxBodyBytes: Int = 6 * 1024 * 1024,
                batching: BatchingOptions = BatchingOptions(), maxConcurrentTransforms: Int? = nil,
                handleSignals: Bool = true, idleTimeout: Duration = .seconds(60), readTimeout: Duration = .seconds(30),
                maxConnections: Int = 512, drainGrace: Duration = .milliseconds(500)) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.batching = batching
        self.maxConcurrentTransforms = maxConcurrentTransforms
        self.handleSignals = handleSignals
        self.idleTimeout = idleTimeout
        self.readTimeout = readTimeout
        self.maxConnections = maxConnections
        self.drainGrace = drainGrace
    }
}

/// The container's HTTP contract on Hummingbird:
/// - `GET /ping`: 200 with an empty body (the model is loaded before the server listens);
/// - `POST /invocations`: an `image/jpeg`, `image/png` or `application/x-image` body, answered
///   with the probability of every class (`application/json` or `application/jsonlines`);
/// - `GET /execution-parameters`: what batch transform may send;
/// - `GET /metrics`: Prometheus text;
/// - `GET /`: a page to try the model, unless `servesPage` is off.
///
/// Concurrent invocations are batched by a `DynamicBatcher`. SIGTERM (or `shutdown()`)
/// stops accepting connections, finishes the requests in flight, then returns from `run`.
public final class InferenceServer: Sendable {
    public let predictor: Predictor
    public let options: ServerOptions
    public let metrics: ServingMetrics
    public let batcher: DynamicBatcher
    /// The running service group, and whether `shutdown()` came first.
    private let running = Mutex<(group: ServiceGroup?, shutdownRequested: Bool)>((nil, false))

    public init(predictor: Predictor, options: ServerOptions = ServerOptions(), metrics: ServingMetrics = ServingMetrics()) {
        self.predictor = predictor
        self.options = options
        self.metrics = metrics
        self.batcher = DynamicBatcher(predictor: predictor, options: options.batching) { size, seconds in
            metrics.batch(size: size, seconds: seconds)
        }
    }

    /// The body of `GET /execution-parameters`.
    public var executionParameters: String {
        let concurrent = options.maxConcurrentTransforms ?? options.batching.maxBatch
        let payloadMB = max(1, options.maxBodyBytes / (1024 * 1024))
        // One image per request: images cannot be concatenated into one payload.
        return "{\"MaxConcurrentTransforms\": \(concurrent), \"BatchStrategy\": \"SINGLE_RECORD\", \"MaxPayloadInMB\": \(payloadMB)}"
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(RequestMetricsMiddleware(metrics: metrics))
        router.middlewares.add(AllowedMethodsMiddleware(allowed: [
            "/ping": [.get], "/invocations": [.post], "/execution-parameters": [.get], "/metrics": [.get],
        ].merging(options.servesPage ? ["/": [.get]] : [:]) { a, _ in a }))
        let invocations = InvocationHandler(batcher: batcher, preprocessor: predictor.preprocessor,
                                            metrics: metrics, maxBodyBytes: options.maxBodyBytes,
                                            defaultFormat: options.defaultFormat)
        let parameters = executionParameters
        let metrics = self.metrics
        router.get("ping") { _, _ in Response(status: .ok) }
        router.post("invocations") { request, _ in try await invocations.handle(request) }
        router.get("execution-parameters") { _, _ in
            InvocationHandler.text(.ok, parameters, contentType: "application/json")
        }
        router.get("metrics") { _, _ in
            InvocationHandler.text(.ok, metrics.emit(), contentType: "text/plain; version=0.0.4")
        }
        if options.servesPage {
            let page = ByteBuffer(string: EmbeddedPage.servePage.render(json: ModelCard(predictor: predictor).json()))
            router.get("/") { _, _ in
                Response(status: .ok, headers: [
                    .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                    .xContentTypeOptions: "nosniff",
                    // The page's own inline script and style, its requests to this server, and
                    // the image a person picked (a blob: URL): nothing else runs or loads.
                    .contentSecurityPolicy: "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'",
                ], body: .init(byteBuffer: page))
            }
        }
        return router
    }

    /// Serves until SIGTERM/SIGINT (with `handleSignals`) or `shutdown()`, then drains the
    /// requests in flight and the batcher's queue. `onReady` gets the bound port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let options = self.options
        let limiter = ConnectionLimiter(maxConnections: options.maxConnections)
        let app = Application(
            router: makeRouter(),
            server: HTTPServerBuilder { responder in
                GuardedHTTP1Channel(responder: responder, idleTimeout: TimeAmount(options.idleTimeout),
                                    readTimeout: TimeAmount(options.readTimeout), drainGrace: TimeAmount(options.drainGrace),
                                    limiter: limiter)
            },
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "imgclf",
                                 availableConnectionsDelegate: LimiterDelegate(limiter: limiter)),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) }
        )
        // The batcher first: it is shut down last, after the server drained its requests.
        let group = ServiceGroup(services: [batcher, app],
                                 gracefulShutdownSignals: options.handleSignals ? [.sigterm, .sigint] : [],
                                 logger: app.logger)
        let stopAtOnce: Bool = running.withLock {
            $0.group = group
            return $0.shutdownRequested
        }
        if stopAtOnce { await group.triggerGracefulShutdown() }
        defer { running.withLock { $0.group = nil } }
        try await group.run()
    }

    /// Stops accepting connections and lets the requests in flight finish; `run` then returns.
    public func shutdown() async {
        let group: ServiceGroup? = running.withLock {
            $0.shutdownRequested = true
            return $0.group
        }
        await group?.triggerGracefulShutdown()
    }
}

/// Counts and times every request for `/metrics`, by matched route and status.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServingMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(path: context.endpointPath ?? "unmatched", status: response.status.code,
                            duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(path: context.endpointPath ?? "unmatched", status: status, duration: ContinuousClock.now - start)
            throw error
        }
    }
}
