import Hummingbird

/// Answers `POST /invocations`: checks the content type, the `Accept` header and the body
/// size, reads the image header, queues the image on the batcher and writes its
/// probabilities. Every failure is a thrown `RequestFailure`, which Hummingbird answers with
/// its status and JSON message; none stops the server.
struct InvocationHandler: Sendable {
    let batcher: DynamicBatcher
    let preprocessor: Preprocessor
    let metrics: ServingMetrics
    let maxBodyBytes: Int
    /// The format for a missing or wildcard `Accept` (JSON Lines in batch transform jobs).
    var defaultFormat: ResponseFormat = .json

    /// The answer, or the failure (counted under its label) for Hummingbird to answer with.
    func handle(_ request: Request) async throws(RequestFailure) -> Response {
        do {
            return try await answer(request)
        } catch {
            metrics.error(error.metricLabel)
            throw error
        }
    }

    private func answer(_ request: Request) async throws(RequestFailure) -> Response {
        let contentType = request.headers[.contentType].map(MediaTypes.essence)
        guard let contentType, MediaTypes.images.contains(contentType) else { throw .unsupportedMediaType(found: contentType) }
        guard let format = ResponseFormat.negotiate(accept: request.headers[.accept], preferring: defaultFormat) else {
            throw .notAcceptable(accept: request.headers[.accept] ?? "")
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > maxBodyBytes {
            throw .bodyTooLarge(limit: maxBodyBytes)
        }
        let bytes: [UInt8]
        do {
            let buffer = try await request.body.collect(upTo: maxBodyBytes)
            bytes = Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw .bodyTooLarge(limit: maxBodyBytes)
        } catch {
            throw .unreadableBody("\(error)")
        }
        // The header alone says whether this is an image we take, before it waits for a batch.
        do { try preprocessor.checkHeader(bytes) } catch { throw .badImage(error) }
        switch await batcher.submit(bytes) {
        case .success(let probabilities): return Self.text(.ok, format.body(probabilities), contentType: format.rawValue)
        case .failure(let error): throw .batcher(error)
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
