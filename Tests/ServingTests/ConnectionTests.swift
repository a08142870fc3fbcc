import Foundation
import Serving
import Testing

/// The server's connection rules against raw sockets: 405 with Allow, q=0, HTTP/1.0 close,
/// idle and slow clients, the connection limit and answering during shutdown.
@Suite(.serialized)
struct ConnectionTests {
    static let ping = "GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n"

    @Test func wrongMethodsGet405WithAllow() async throws {
        try await withServer { _, port in
            for (method, path, allow) in [("HEAD", "/ping", "GET"), ("PUT", "/invocations", "POST"), ("GET", "/invocations", "POST"),
                                          ("DELETE", "/metrics", "GET"), ("POST", "/execution-parameters/", "GET")] {
                let socket = try RawSocket(port: port)
                socket.send("\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                let reply = socket.readUntilClosed(timeout: 10).text.lowercased()
                #expect(reply.hasPrefix("http/1.1 405"), "\(method) \(path): \(reply)")
                #expect(reply.contains("allow: \(allow.lowercased())\r\n"), "\(method) \(path): \(reply)")
            }
            #expect(try await HTTP.send("GET", port: port, path: "/nothing").status == 404)
        }
    }

    @Test func acceptWithQZeroIsNotAcceptable() async throws {
        try await withServer { _, port in
            let image = Fixtures.bytes("rgb0.png")
            #expect(try await HTTP.post(port: port, image, type: "image/png", accept: "application/json;q=0").status == 406)
            #expect(try await HTTP.post(port: port, image, type: "image/png", accept: "application/json;q=0, application/jsonlines;q=0").status == 406)
            let lines = try await HTTP.post(port: port, image, type: "image/png", accept: "application/json;q=0, */*")
            #expect(lines.status == 200 && lines.contentType == "application/jsonlines")
        }
    }

    /// HTTP/1.0 without keep-alive (ApacheBench's requests): the answer, then the server closes.
    @Test func http10ConnectionsAreClosedAfterTheResponse() async throws {
        try await withServer { _, port in
            let socket = try RawSocket(port: port)
            socket.send("GET /ping HTTP/1.0\r\n\r\n")
            let (text, closed) = socket.readUntilClosed(timeout: 5)
            #expect(closed, "the connection stayed open after \(text)")
            #expect(text.contains(" 200 ") && text.lowercased().contains("connection: close"), "\(text)")
            let image = Fixtures.bytes("rgb0.png")
            let post = try RawSocket(port: port)
            post.send("POST /invocations HTTP/1.0\r\nContent-Type: image/png\r\nContent-Length: \(image.count)\r\n\r\n")
            _ = image.withUnsafeBytes { send(post.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            let answer = post.readUntilClosed(timeout: 10)
            #expect(answer.closed && answer.text.contains(" 200 "), "\(answer.text)")
            // HTTP/1.1 with Connection: close likewise.
            let eleven = try RawSocket(port: port)
            eleven.send("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(eleven.readUntilClosed(timeout: 5).closed)
        }
    }

    /// A chunked upload past the body limit: 413 at once, with Connection: close, and the
    /// connection closed while the client is still sending; the server keeps answering.
    @Test func hugeChunkedRequestsGet413AndTheConnectionCloses() async throws {
        try await withServer(options: ServerOptions(maxBodyBytes: 64 * 1024)) { _, port in
            let socket = try RawSocket(port: port)
            socket.send("POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = String(repeating: "A", count: 32 * 1024)
            // 128 KiB, twice the limit; the rest of a "huge" upload is never sent.
            for _ in 0..<4 { socket.send(String(32 * 1024, radix: 16) + "\r\n" + chunk + "\r\n") }
            let (text, closed) = socket.readUntilClosed(timeout: 10)
            #expect(text.hasPrefix("HTTP/1.1 413"), "\(text.prefix(200))")
            #expect(text.lowercased().contains("connection: close"), "\(text.prefix(300))")
            #expect(closed, "the connection stayed open after the 413")
            #expect(try await HTTP.send("GET", port: port, path: "/ping").status == 200)
        }
    }

    /// More idle sockets than --max-connections: the longest idle ones are closed, /ping answers.
    @Test func idleSocketsBeyondTheLimitCannotLockOutPing() async throws {
        try await withServer(options: ServerOptions(maxConnections: 4)) { _, port in
            let idle = try (0..<16).map { _ in try RawSocket(port: port) }
            let start = Date()
            let socket = try RawSocket(port: port)
            socket.send("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let reply = socket.readUntilClosed(timeout: 10)
            #expect(reply.text.contains(" 200 "), "\(reply.text)")
            #expect(Date().timeIntervalSince(start) < 5)
            // The oldest idle sockets were closed to make room.
            #expect(idle.prefix(4).contains { $0.readUntilClosed(timeout: 2).closed })
        }
    }

    /// A client sending its headers one byte at a time is closed at the idle timeout, and one
    /// sending its body slowly at the read timeout; others are served meanwhile.
    @Test func slowClientsAreClosed() async throws {
        let options = ServerOptions(idleTimeout: .seconds(1), readTimeout: .seconds(1))
        try await withServer(options: options) { _, port in
            func dripUntilClosed(_ socket: RawSocket, prefix: String) -> Double? {
                let start = Date()
                socket.send(prefix)
                for _ in 0..<40 {
                    Thread.sleep(forTimeInterval: 0.25)
                    if !socket.send("a") { return Date().timeIntervalSince(start) }
                }
                return nil
            }
            let headers = try RawSocket(port: port)
            let headerTime = dripUntilClosed(headers, prefix: "GET /ping HTTP/1.1\r\nX-Slow: ")
            #expect(headerTime != nil && headerTime! < 6, "slow headers kept the connection \(String(describing: headerTime)) s")
            let body = try RawSocket(port: port)
            let bodyTime = dripUntilClosed(body, prefix: "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n")
            #expect(bodyTime != nil && bodyTime! < 6, "a slow body kept the connection \(String(describing: bodyTime)) s")
            #expect(try await HTTP.send("GET", port: port, path: "/ping").status == 200)
        }
    }

    /// After shutdown starts, a request on an open keep-alive connection is answered with
    /// Connection: close, not reset.
    @Test func requestsOnKeptConnectionsAreAnsweredDuringShutdown() async throws {
        let options = ServerOptions(host: "127.0.0.1", port: 0, handleSignals: false, drainGrace: .seconds(2))
        let server = InferenceServer(predictor: try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28")), options: options)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let running = Task { try await server.run { continuation.yield($0) } }
        var it = ports.makeAsyncIterator()
        let port = try #require(await it.next())
        let socket = try RawSocket(port: port)
        socket.send(Self.ping)
        #expect(socket.read(until: "\r\n\r\n", timeout: 5).contains(" 200 "))
        let stopping = Task { await server.shutdown() }
        try await Task.sleep(for: .milliseconds(300))
        socket.send(Self.ping)
        let (text, closed) = socket.readUntilClosed(timeout: 10)
        #expect(text.contains(" 200 ") && text.lowercased().contains("connection: close"), "\(text)")
        #expect(closed)
        await stopping.value
        try await running.value
    }
}
