import CDNNL
import Foundation

/// The process-wide oneDNN CPU engine and the stream every primitive runs on.
///
/// oneDNN's CPU runtime here is OpenMP: a primitive uses `OMP_NUM_THREADS` threads
/// and blocks the calling thread, so compute must run on a thread of its own, never
/// on Swift's cooperative pool.
// Unchecked Sendable: the engine and stream are created once; every execution takes executionLock.
public final class DNNL: @unchecked Sendable {
    public static let shared = DNNL()

    public let engine: dnnl_engine_t
    public let stream: dnnl_stream_t
    /// Held while a primitive runs (see `Primitive.execute`).
    let executionLock = NSLock()

    /// Without a CPU engine nothing can be computed and no input is involved (the library
    /// or the host is broken), so failing here stops the process with an explanation.
    private init() {
        var engine: dnnl_engine_t?
        let engineStatus = dnnl_engine_create(&engine, dnnl_cpu, 0)
        guard engineStatus == dnnl_success, let engine else {
            fatalError("\(DNNLError(status: engineStatus, what: "create the CPU engine")); check that libdnnl is installed and matches this build")
        }
        var stream: dnnl_stream_t?
        let streamStatus = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue)
        guard streamStatus == dnnl_success, let stream else {
            fatalError("\(DNNLError(status: streamStatus, what: "create a stream on the CPU engine")); the host is out of memory or libdnnl is broken")
        }
        self.engine = engine
        self.stream = stream
    }

    /// Waits for every primitive submitted to the stream.
    public func wait() throws {
        try check(dnnl_stream_wait(stream), "wait for the stream")
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
