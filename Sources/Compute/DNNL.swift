import CDNNL
import Foundation

/// The process-wide oneDNN CPU engine and the stream every primitive runs on.
///
/// oneDNN's CPU runtime here is OpenMP: a primitive uses `OMP_NUM_THREADS` threads
/// and blocks the calling thread, so compute must run on a thread of its own, never
/// on Swift's cooperative pool.
// Unchecked Sendable: the engine and stream are created once; every execution takes executionLock.
public final class DNNL: @unchecked Sendable {
    private static let created: Result<DNNL, DNNLError> = Result { () throws(DNNLError) in try DNNL() }

    /// The engine and stream; without them nothing can be computed (libdnnl missing or
    /// mismatched, the host out of memory), which every creation of a tensor or primitive
    /// then reports as an error naming the reason.
    public static var shared: DNNL {
        get throws(DNNLError) { try created.get() }
    }

    public let engine: dnnl_engine_t
    public let stream: dnnl_stream_t
    /// Held while a primitive runs (see `Primitive.execute`); also guards `fault`.
    let executionLock = NSLock()
    /// The first execution oneDNN refused since the last `checkExecutions()`.
    var fault: DNNLError?

    private init() throws(DNNLError) {
        var engine: dnnl_engine_t?
        let engineStatus = dnnl_engine_create(&engine, dnnl_cpu, 0)
        guard engineStatus == dnnl_success, let engine else {
            throw DNNLError(status: engineStatus, what: "create the CPU engine (check that libdnnl is installed and matches this build)")
        }
        var stream: dnnl_stream_t?
        let streamStatus = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue)
        guard streamStatus == dnnl_success, let stream else {
            throw DNNLError(status: streamStatus, what: "create a stream on the CPU engine")
        }
        self.engine = engine
        self.stream = stream
    }

    /// Throws the first primitive execution oneDNN refused since the last check (and
    /// forgets it): a pass's results are not to be used then.
    public func checkExecutions() throws(DNNLError) {
        executionLock.lock()
        let refused = fault
        fault = nil
        executionLock.unlock()
        if let refused { throw refused }
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
