import NIOCore
import NIOHTTP1

/// Per-connection rules Hummingbird's HTTP/1 channel leaves out, applied where the HTTP
/// version and keep-alive are still known (between NIO's HTTP/1 codec and the conversion to
/// HTTP types):
/// - a request without keep-alive (HTTP/1.0 without `Connection: keep-alive`, or
///   `Connection: close`) gets `Connection: close` and the connection closes after its response;
/// - a request must arrive whole (headers to end of body) within `readTimeout`, else the
///   connection closes (a slow body cannot hold it; slow headers are bounded by the idle timeout);
/// - on graceful shutdown, every request received is answered with `Connection: close` before
///   the connection closes; an idle connection closes after `drainGrace`, so a request
///   already on its way is answered rather than reset;
/// - the `ConnectionLimiter` learns which connections are idle (and may be closed to make room).
final class ConnectionPolicyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let readTimeout: TimeAmount
    private let drainGrace: TimeAmount
    private let limiter: ConnectionLimiter
    /// Requests read (head seen) whose response has not ended.
    private var inFlight = 0
    private var keepAlive = true
    private var requestVersion = HTTPVersion.http1_1
    private var draining = false
    private var registered = false
    private var readDeadline: Scheduled<Void>?
    private var drainTimer: Scheduled<Void>?

    init(readTimeout: TimeAmount, drainGrace: TimeAmount, limiter: ConnectionLimiter) {
        self.readTimeout = readTimeout
        self.drainGrace = drainGrace
        self.limiter = limiter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        limiter.markIdle(context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        limiter.forget(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        limiter.forget(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            inFlight += 1
            keepAlive = head.isKeepAlive
            requestVersion = head.version
            limiter.markBusy(context.channel)
            drainTimer?.cancel()
            drainTimer = nil
            readDeadline?.cancel()
            let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
            readDeadline = loop.scheduleTask(in: readTimeout) { [weak self] in
                self?.readDeadline = nil
                context.close(promise: nil)
            }
        case .body:
            break
        case .end:
            readDeadline?.cancel()
            readDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            // A response that says close (a 413 whose body is left unread) ends the connection.
            if head.headers["connection"].contains(where: { $0.lowercased() == "close" }) { keepAlive = false }
            if draining || !keepAlive {
                head.headers.replaceOrAdd(name: "connection", value: "close")
            } else if requestVersion == .http1_0 {
                // An HTTP/1.0 client keeps the connection only when told so.
                head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            inFlight = max(0, inFlight - 1)
            guard inFlight == 0 else { context.write(data, promise: promise); return }
            if draining || !keepAlive {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
            } else {
                limiter.markIdle(context.channel)
                context.write(data, promise: promise)
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Handled here (not passed on): Hummingbird's handler would close an idle connection
        // at once, resetting a request that is already on its way.
        draining = true
        if inFlight == 0 {
            let loop = context.eventLoop.assumeIsolatedUnsafeUnchecked()
            drainTimer = loop.scheduleTask(in: drainGrace) { [weak self] in
                guard let self, self.inFlight == 0 else { return }
                context.close(promise: nil)
            }
        }
    }

    private func cancelTimers() {
        readDeadline?.cancel()
        readDeadline = nil
        drainTimer?.cancel()
        drainTimer = nil
    }
}
