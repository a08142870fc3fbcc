import Hummingbird

/// Answers `POST /invocations`: checks the content type, the `Accept` header and the body
/// size, reads the image header, queues the image on the batcher and writes its
/// probabilities. Every failure is an HTTP answer with a JSON message; none stops the server.
struct InvocationHandler: Sendable {
    let batcher: DynamicBatcher
    let preprocessor: Preprocessor
    let metrics: ServingMetrics
    let maxBodyBytes: Int

    func handle(_ request: Request) async -> Response {
        let contentType = request.headers[.contentType].map(MediaTypes.essence)
        guard let contentType, MediaTypes.images.contains(contentType) else {
            metrics.error("unsupported_media_type")
            let found = contentType.map { "'\($0)'" } ?? "none"
            return Self.error(.unsupportedMediaType,
                              "unsupported content type \(found); send the image as image/jpeg, image/png or application/x-image")
        }
        guard let format = ResponseFormat.negotiate(accept: request.headers[.accept]) else {
            metrics.error("not_acceptable")
            return Self.error(.notAcceptable,
                              "cannot answer in '\(request.headers[.accept] ?? "")'; accept application/json or application/jsonlines")
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBodyBytes {
            metrics.error("body_too_large")
            return tooLarge()
        }
        let bytes: [UInt8]
        do {
            let body = request.body
            let buffer = try await body.collect(upTo: maxBodyBytes)
            bytes = Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            metrics.error("body_too_large")
            return tooLarge()
        } catch {
            metrics.error("unreadable_body")
            return Self.error(.badRequest, "could not read the request body: \(error)")
        }
        // The header alone says whether this is an image we take, before it waits for a batch.
        do { try preprocessor.checkHeader(bytes) } catch {
            metrics.error("bad_image")
            return Self.error(.badRequest, error.description)
        }
        switch await batcher.submit(bytes) {
        case .success(let probabilities):
            return Self.text(.ok, format.body(probabilities), contentType: format.rawValue)
        case .failure(let error):
            switch error {
            case .badImage(.modelFailed):
                metrics.error("model_failed")
                return Self.error(.internalServerError, error.description)
            case .badImage:
                metrics.error("bad_image")
                return Self.error(.badRequest, error.description)
            case .overloaded:
                metrics.error("overloaded")
                return Self.error(.serviceUnavailable, error.description)
            case .shuttingDown:
                metrics.error("shutting_down")
                return Self.error(.serviceUnavailable, error.description)
            case .timedOut:
                metrics.error("timed_out")
                return Self.error(.serviceUnavailable, error.description)
            }
        }
    }

    private func tooLarge() -> Response {
        Self.error(.contentTooLarge, "request body larger than the limit of \(maxBodyBytes) bytes (MaxPayloadInMB \(maxBodyBytes / (1024 * 1024)))")
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        text(status, JSONText.error(message), contentType: "application/json")
    }
}
