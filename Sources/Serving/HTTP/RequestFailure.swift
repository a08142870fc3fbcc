import Hummingbird

/// Every way a request can fail, with the HTTP status it is answered with and the label
/// `/metrics` counts it under: the one place a failure becomes an HTTP response. Handlers
/// and middlewares throw it, and Hummingbird answers with its ``httpResponse`` (an
/// `HTTPResponseError`). Each is a JSON `{"error": ...}` answer for that request alone;
/// none stops the server.
enum RequestFailure: HTTPResponseError {
    case methodNotAllowed(method: String, path: String, allow: String)
    case unsupportedMediaType(found: String?)
    case notAcceptable(accept: String)
    case bodyTooLarge(limit: Int)
    case unreadableBody(String)
    case badImage(ImageInputError)
    case batcher(BatcherError)

    var status: HTTPResponse.Status {
        switch self {
        case .methodNotAllowed: return .methodNotAllowed
        case .unsupportedMediaType: return .unsupportedMediaType
        case .notAcceptable: return .notAcceptable
        case .bodyTooLarge: return .contentTooLarge
        case .unreadableBody: return .badRequest
        case let .badImage(error), let .batcher(.badImage(error)):
            // A good image the model could not classify is the server's fault.
            if case .modelFailed = error { return .internalServerError }
            return .badRequest
        case .batcher(.overloaded), .batcher(.shuttingDown), .batcher(.timedOut): return .serviceUnavailable
        }
    }

    var metricLabel: String {
        switch self {
        case .methodNotAllowed: return "method_not_allowed"
        case .unsupportedMediaType: return "unsupported_media_type"
        case .notAcceptable: return "not_acceptable"
        case .bodyTooLarge: return "body_too_large"
        case .unreadableBody: return "unreadable_body"
        case let .badImage(error), let .batcher(.badImage(error)):
            if case .modelFailed = error { return "model_failed" }
            return "bad_image"
        case .batcher(.overloaded): return "overloaded"
        case .batcher(.shuttingDown): return "shutting_down"
        case .batcher(.timedOut): return "timed_out"
        }
    }

    var message: String {
        switch self {
        case let .methodNotAllowed(method, path, allow): return "\(method) is not allowed on \(path); use \(allow)"
        case let .unsupportedMediaType(found):
            return "unsupported content type \(found.map { "'\($0)'" } ?? "none"); send the image as image/jpeg, image/png or application/x-image"
        case let .notAcceptable(accept):
            return "cannot answer in '\(accept)'; accept application/json or application/jsonlines"
        case let .bodyTooLarge(limit):
            return "request body larger than the limit of \(limit) bytes (MaxPayloadInMB \(limit / (1024 * 1024)))"
        case let .unreadableBody(detail): return "could not read the request body: \(detail)"
        case let .badImage(error): return error.description
        case let .batcher(error): return error.description
        }
    }

    func response(from request: Request, context: some RequestContext) -> Response { httpResponse }

    var httpResponse: Response {
        var response = InvocationHandler.text(status, JSONText.error(message), contentType: "application/json")
        if case let .methodNotAllowed(_, _, allow) = self { response.headers[.allow] = allow }
        // The rest of an oversized body is not read: the connection closes after the answer,
        // so a huge chunked upload costs the server nothing past the limit.
        if case .bodyTooLarge = self { response.headers[.connection] = "close" }
        return response
    }
}
