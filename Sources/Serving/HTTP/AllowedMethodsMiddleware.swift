import Hummingbird

/// Answers a known path asked with a method it does not take with 405 and an `Allow`
/// header (rather than the router's 404), as HTTP requires.
struct AllowedMethodsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Path (no trailing slash) -> the methods it takes.
    let allowed: [String: [HTTPRequest.Method]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var path = request.uri.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard let methods = allowed[path], !methods.contains(request.method) else {
            return try await next(request, context)
        }
        let allow = methods.map(\.rawValue).joined(separator: ", ")
        throw RequestFailure.methodNotAllowed(method: request.method.rawValue, path: path, allow: allow)
    }
}
