import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Serving

/// A minimal HTTP client for tests against a live server on 127.0.0.1.
struct HTTPReply: Sendable {
    var status: Int
    var contentType: String?
    var body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
}

enum HTTP {
    static let session: URLSession = {
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 30
        config.httpMaximumConnectionsPerHost = 32
        return URLSession(configuration: config)
    }()

    static func send(_ method: String, port: Int, path: String, headers: [String: String] = [:],
                     body: Data? = nil) async throws -> HTTPReply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        return HTTPReply(status: http.statusCode, contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data)
    }

    static func post(port: Int, _ body: [UInt8], type: String, accept: String? = nil) async throws -> HTTPReply {
        var headers = ["Content-Type": type]
        if let accept { headers["Accept"] = accept }
        return try await send("POST", port: port, path: "/invocations", headers: headers, body: Data(body))
    }
}

/// Runs `body` against a live server on a free loopback port, then drains and stops it.
func withServer<T: Sendable>(model: String = "resnet8-3x28x28", options: ServerOptions = ServerOptions(),
                             predictor: PredictorOptions = PredictorOptions(),
                             _ body: @Sendable (InferenceServer, Int) async throws -> T) async throws -> T {
    var options = options
    options.host = "127.0.0.1"
    options.port = 0
    options.handleSignals = false
    let server = InferenceServer(predictor: try Predictor(contentsOf: Fixtures.model(model), options: predictor), options: options)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let running = Task { try await server.run { port in continuation.yield(port) } }
    var iterator = ports.makeAsyncIterator()
    guard let port = await iterator.next() else { throw CancellationError() }
    do {
        let result = try await body(server, port)
        await server.shutdown()
        try await running.value
        return result
    } catch {
        await server.shutdown()
        _ = try? await running.value
        throw error
    }
}
