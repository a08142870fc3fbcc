import CDNNL
import Foundation

/// The process-wide oneDNN CPU engine and the stream every primitive runs on.
///
/// oneDNN's CPU runtime here is OpenMP: a primitive uses `OMP_NUM_THREADS` threads
/// and blocks the calling thread, so compute must run on a thread of its own, never
/// on Swift's cooperative pool.
public final class DNNL: @unchecked Sendable {
    public static let shared = DNNL()

    public let engine: dnnl_engine_t
    public let stream: dnnl_stream_t
    /// Held while a primitive runs (see `Primitive.execute`).
    let executionLock = NSLock()

    private init() {
        var engine: dnnl_engine_t?
        try! check(dnnl_engine_create(&engine, dnnl_cpu, 0), "create the CPU engine")
        var stream: dnnl_stream_t?
        try! check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "create a stream")
        self.engine = engine!
        self.stream = stream!
    }

    /// Waits for every primitive submitted to the stream.
    public func wait() {
        try! check(dnnl_stream_wait(stream), "wait for the stream")
    }
}

/// A oneDNN call that failed: which call, and oneDNN's status.
public struct DNNLError: Error, CustomStringConvertible {
    public let status: dnnl_status_t
    public let what: String
    public var description: String {
        let reason: String
        switch status {
        case dnnl_out_of_memory: reason = "out of memory"
        case dnnl_invalid_arguments: reason = "invalid arguments"
        case dnnl_unimplemented: reason = "no implementation for these shapes or layouts"
        default: reason = "status \(status.rawValue)"
        }
        return "oneDNN could not \(what): \(reason)"
    }
}

@inline(__always)
public func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) throws(DNNLError) {
    if status != dnnl_success { throw DNNLError(status: status, what: what()) }
}

extension DNNL {
    /// Whether this CPU runs oneDNN's bfloat16 kernels natively (AVX-512 BF16 or AMX).
    public static var supportsBFloat16: Bool {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        let bf16 = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return isa & bf16 == bf16
    }
}
