import ImageData
import Foundation
import Serving
import Testing

/// The HTTP contract (SPEC section 6) against a live server on 127.0.0.1.
@Suite(.serialized)
struct ServerTests {
    static func probabilities(_ reply: HTTPReply) throws -> [Float] {
        try JSONDecoder().decode([Double].self, from: reply.body).map(Float.init)
    }

    @Test func pingAndExecutionParameters() async throws {
        try await withServer(options: ServerOptions(batching: BatchingOptions(maxBatch: 16))) { _, port in
            let ping = try await HTTP.send("GET", port: port, path: "/ping")
            #expect(ping.status == 200)
            #expect(ping.body.isEmpty)
            let params = try await HTTP.send("GET", port: port, path: "/execution-parameters")
            #expect(params.status == 200)
            let json = try JSONSerialization.jsonObject(with: params.body) as! [String: Any]
            #expect(json["MaxConcurrentTransforms"] as? Int == 16)
            #expect(json["BatchStrategy"] as? String == "SINGLE_RECORD")
            #expect(json["MaxPayloadInMB"] as? Int == 6)
        }
    }

    /// Every image content type and both answer formats; PNG answers equal MXNet's.
    @Test(arguments: Fixtures.parityCases)
    func invocationsMatchMXNet(model: String, images: [String]) async throws {
        try await withServer(model: model) { _, port in
            for name in images {
                for type in ["image/png", "application/x-image"] {
                    let reply = try await HTTP.post(port: port, Fixtures.bytes(name), type: type)
                    #expect(reply.status == 200)
                    #expect(reply.contentType == "application/json")
                    let diff = Fixtures.maxDiff(try Self.probabilities(reply), Fixtures.expected[model]![name]!)
                    #expect(diff < 1e-5, "\(model) \(name) \(type): \(diff)")
                }
                let lines = try await HTTP.post(port: port, Fixtures.bytes(name), type: "image/png", accept: "application/jsonlines")
                #expect(lines.status == 200)
                #expect(lines.contentType == "application/jsonlines")
                #expect(lines.text.hasSuffix("\n") && lines.text.split(separator: "\n").count == 1)
                let object = try JSONDecoder().decode([String: [Double]].self, from: lines.body)
                let p = try #require(object["prediction"]).map(Float.init)
                #expect(Fixtures.maxDiff(p, Fixtures.expected[model]![name]!) < 1e-5)
            }
        }
    }

    /// A batch transform job (`SAGEMAKER_BATCH=true`) sends no Accept header: the answer is
    /// one JSON line `{"prediction": [...]}`, which the notebooks read with
    /// `json.load(f)["prediction"]`. Sent over a raw socket so that no client adds an Accept.
    @Test func batchTransformAnswersJSONLinesWithoutAccept() async throws {
        let png = Fixtures.bytes("rgb0.png")
        let expected = Fixtures.expected["resnet8-3x28x28"]!["rgb0.png"]!
        var options = ServerOptions()
        options.defaultFormat = .jsonLines
        try await withServer(options: options) { _, port in
            let socket = try RawSocket(port: port)
            let head = "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-image\r\nContent-Length: \(png.count)\r\nConnection: close\r\n\r\n"
            #expect(socket.send(bytes: Array(head.utf8) + png))
            let reply = socket.readUntilClosed(timeout: 30).text
            let parts = reply.components(separatedBy: "\r\n\r\n")
            #expect(parts.first?.hasPrefix("HTTP/1.1 200") == true, "\(reply.prefix(300))")
            #expect(parts.first?.lowercased().contains("content-type: application/jsonlines") == true, "\(parts.first ?? "")")
            let body = parts.dropFirst().joined(separator: "\r\n\r\n")
            #expect(body.hasSuffix("\n") && body.split(separator: "\n").count == 1)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let p = try #require(object["prediction"] as? [Double]).map(Float.init)
            #expect(Fixtures.maxDiff(p, expected) < 1e-5)
            // A client that names JSON still gets JSON.
            let json = try await HTTP.post(port: port, png, type: "image/png", accept: "application/json")
            #expect(json.contentType == "application/json")
            #expect(Fixtures.maxDiff(try Self.probabilities(json), expected) < 1e-5)
        }
    }

    @Test func jpegOfAnotherSizeIsResized() async throws {
        let local = try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28")).predict([Fixtures.bytes("rgb-60x45.jpg")])[0].get()
        try await withServer { _, port in
            let reply = try await HTTP.post(port: port, Fixtures.bytes("rgb-60x45.jpg"), type: "image/jpeg")
            #expect(reply.status == 200)
            #expect(Fixtures.maxDiff(try Self.probabilities(reply), local) < 1e-6)
        }
    }

    /// Every bad request gets its answer, and the server keeps answering after each.
    @Test func errorsAreAnswers() async throws {
        let good = Fixtures.bytes("rgb0.png")
        try await withServer(options: ServerOptions(maxBodyBytes: 64 * 1024), predictor: PredictorOptions(maxPixels: 4_000_000)) { _, port in
            func stillServing() async throws {
                let reply = try await HTTP.post(port: port, good, type: "image/png")
                #expect(reply.status == 200)
            }
            func expectError(_ reply: HTTPReply, _ status: Int, _ fragment: String) throws {
                #expect(reply.status == status, "\(reply.status) \(reply.text)")
                #expect(reply.contentType == "application/json")
                let json = try JSONDecoder().decode([String: String].self, from: reply.body)
                #expect(json["error"]?.contains(fragment) == true, "\(json)")
            }
            try expectError(try await HTTP.post(port: port, good, type: "text/csv"), 415, "text/csv")
            try await stillServing()
            try expectError(try await HTTP.post(port: port, [], type: "image/png"), 400, "empty")
            try await stillServing()
            try expectError(try await HTTP.post(port: port, Array("not an image".utf8), type: "image/jpeg"), 400, "not a JPEG or PNG")
            try await stillServing()
            try expectError(try await HTTP.post(port: port, Array(good.prefix(good.count / 2)), type: "image/png"), 400, "truncated")
            try await stillServing()
            let jpeg = Fixtures.bytes("rgb-60x45.jpg")
            try expectError(try await HTTP.post(port: port, Array(jpeg.prefix(jpeg.count / 2)), type: "image/jpeg"), 400, "JPEG")
            try await stillServing()
            try expectError(try await HTTP.post(port: port, TestImages.pngHeader(width: 20000, height: 20000), type: "image/png"),
                            400, "20000x20000")
            try await stillServing()
            // Few pixels, but a side past the README's 8192: refused from its header.
            try expectError(try await HTTP.post(port: port, try ImageEncoder.png(Image(width: 9000, height: 1, channels: 3)), type: "image/png"),
                            400, "9000x1, its width 9000 is over the limit of 8192 pixels per side")
            try await stillServing()
            try expectError(try await HTTP.post(port: port, [UInt8](repeating: 0x89, count: 100 * 1024), type: "image/png"),
                            413, "limit of 65536 bytes")
            try await stillServing()
            try expectError(try await HTTP.post(port: port, good, type: "image/png", accept: "text/csv"), 406, "text/csv")
            try await stillServing()
            let missing = try await HTTP.send("GET", port: port, path: "/nothing-here")
            #expect(missing.status == 404)
            try await stillServing()
            let metrics = try await HTTP.send("GET", port: port, path: "/metrics").text
            #expect(metrics.contains("imgclf_errors_total{reason=\"bad_image\"} 6"))
            #expect(metrics.contains("imgclf_errors_total{reason=\"body_too_large\"} 1"))
            #expect(metrics.contains("imgclf_errors_total{reason=\"unsupported_media_type\"} 1"))
            #expect(metrics.contains("imgclf_http_requests_total{path=\"/invocations\",status=\"200\"} 10"))
        }
    }

    /// Concurrent requests share forward passes.
    @Test func concurrentRequestsAreBatched() async throws {
        let options = ServerOptions(batching: BatchingOptions(maxBatch: 32, maxDelay: .milliseconds(200)))
        let n = 12
        try await withServer(options: options) { server, port in
            let replies = try await withThrowingTaskGroup(of: (Int, HTTPReply).self) { group in
                for i in 0..<n {
                    group.addTask { (i, try await HTTP.post(port: port, Fixtures.bytes(i % 2 == 0 ? "rgb0.png" : "rgb1.png"), type: "image/png")) }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (i, reply) in replies {
                #expect(reply.status == 200)
                let want = Fixtures.expected["resnet8-3x28x28"]![i % 2 == 0 ? "rgb0.png" : "rgb1.png"]!
                #expect(Fixtures.maxDiff(try Self.probabilities(reply), want) < 1e-5)
            }
            let metrics = try await HTTP.send("GET", port: port, path: "/metrics").text
            let line = metrics.split(separator: "\n").first { $0.hasPrefix("imgclf_inference_batches_total ") }
            let batches = Int(line?.split(separator: " ").last ?? "") ?? -1
            #expect(batches >= 1 && batches < n, "\(n) requests took \(batches) forward passes")
            #expect(metrics.contains("imgclf_inference_images_total \(n)"))
            #expect(metrics.contains("imgclf_inference_batch_size_bucket"))
            #expect(metrics.contains("imgclf_http_request_duration_seconds_bucket"))
        }
    }

    /// Shutting down lets a request already in flight finish with its answer.
    @Test func shutdownDrainsRequestsInFlight() async throws {
        let options = ServerOptions(host: "127.0.0.1", port: 0, batching: BatchingOptions(maxDelay: .milliseconds(600)),
                                    handleSignals: false)
        let server = InferenceServer(predictor: try Predictor(contentsOf: Fixtures.model("resnet8-3x28x28")), options: options)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let running = Task { try await server.run { continuation.yield($0) } }
        var it = ports.makeAsyncIterator()
        let port = try #require(await it.next())
        let inFlight = Task { try await HTTP.post(port: port, Fixtures.bytes("rgb0.png"), type: "image/png") }
        try await Task.sleep(for: .milliseconds(200))  // the request now waits in the batcher
        await server.shutdown()
        let reply = try await inFlight.value
        #expect(reply.status == 200)
        #expect(Fixtures.maxDiff(try Self.probabilities(reply), Fixtures.expected["resnet8-3x28x28"]!["rgb0.png"]!) < 1e-5)
        try await running.value
        #expect(await server.batcher.submit(Fixtures.bytes("rgb0.png")) == .failure(.shuttingDown))
    }
}
