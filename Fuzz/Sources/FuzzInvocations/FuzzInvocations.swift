import Dispatch
import Foundation
import FuzzSupport
import HTTPTypes
import Hummingbird
@testable import Serving

/// The server's `/invocations` handler over the smallest test model, built once; requests go
/// straight to the handler function (no socket), through the real batcher and predictor.
let handler: InvocationHandler = {
    let model = Fuzz.resource("Fixtures/Resources/models/resnet8-3x28x28")
    guard let predictor = try? Predictor(contentsOf: model, options: PredictorOptions(maxBatch: 4, preprocessThreads: 1)) else {
        fatalError("cannot load the fuzz target's model \(model.path)")
    }
    let server = InferenceServer(predictor: predictor, options: ServerOptions(maxBodyBytes: 1 << 20, handleSignals: false))
    return InvocationHandler(batcher: server.batcher, preprocessor: predictor.preprocessor,
                             metrics: server.metrics, maxBodyBytes: server.options.maxBodyBytes)
}()

let contentTypes = ["image/png", "image/jpeg", "application/x-image", "image/png; charset=binary"]

/// One request from the input: byte 0 picks the content type (bits 0-1) and says whether an
/// `Accept` header follows (bit 2) as the text up to the first newline; the rest is the body.
func request(_ bytes: [UInt8]) -> Request {
    var fields = HTTPFields()
    var body = bytes.isEmpty ? [] : Array(bytes.dropFirst())
    let control = bytes.first ?? 0
    fields[.contentType] = contentTypes[Int(control & 3)]
    if control & 4 != 0 {
        let end = body.firstIndex(of: 0x0A) ?? body.count
        fields[.accept] = String(decoding: body[..<end], as: UTF8.self)
        body = Array(body[min(end + 1, body.count)...])
    }
    let head = HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: "/invocations", headerFields: fields)
    return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body)))
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInvocations(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let req = request(Fuzz.bytes(start, count))
    let done = DispatchSemaphore(value: 0)
    Task {
        // A refused request is a RequestFailure carrying its answer; either way it must answer.
        do throws(RequestFailure) {
            _ = try await handler.handle(req).status
        } catch {
            _ = error.httpResponse.status
        }
        done.signal()
    }
    done.wait()
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzInvocations) }
}
