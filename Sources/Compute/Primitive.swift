import CDNNL
import Foundation

/// A created oneDNN primitive with its descriptor, executed on the shared stream.
// Unchecked Sendable: the handle is immutable after creation and oneDNN primitives may be executed from any thread; execution is serialised on the shared stream (DNNL.executionLock).
public final class Primitive: @unchecked Sendable {
    public let pd: dnnl_primitive_desc_t
    public let primitive: dnnl_primitive_t
    /// The engine and stream it was created for, and runs on.
    private let dnnl: DNNL

    /// Creates a primitive from an operation descriptor (conv, batch norm, pooling...).
    public convenience init<Desc>(desc: inout Desc, hint: Primitive? = nil, attr: dnnl_primitive_attr_t? = nil, what: String) throws(DNNLError) {
        var pd: dnnl_primitive_desc_t?
        let engine = try DNNL.shared.engine
        let status = withUnsafeMutablePointer(to: &desc) { ptr in
            dnnl_primitive_desc_create(&pd, UnsafeRawPointer(ptr), attr, engine, hint?.pd)
        }
        try check(status, what)
        guard let pd else { throw DNNLError(status: dnnl_runtime_error, what: what) }
        try self.init(pd: pd, what: what)
    }

    /// Wraps a primitive descriptor made elsewhere (reorder, sum), taking ownership.
    public init(pd: dnnl_primitive_desc_t, what: String) throws(DNNLError) {
        let dnnl: DNNL
        do { dnnl = try DNNL.shared } catch {
            dnnl_primitive_desc_destroy(pd)
            throw error
        }
        self.pd = pd
        self.dnnl = dnnl
        var prim: dnnl_primitive_t?
        let status = dnnl_primitive_create(&prim, pd)
        guard status == dnnl_success, let prim else {
            dnnl_primitive_desc_destroy(pd)
            throw DNNLError(status: status == dnnl_success ? dnnl_runtime_error : status, what: what)
        }
        primitive = prim
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(pd)
    }

    /// The memory descriptor the primitive chose for an argument (e.g. `dnnl_query_src_md`).
    /// An empty descriptor (zero dimensions) when the primitive has no such argument.
    public func md(_ what: dnnl_query_t, _ index: Int32 = 0) -> MemoryDesc {
        MemoryDesc(raw: dnnl_primitive_desc_query_md(pd, what, index)?.pointee ?? dnnl_memory_desc_t())
    }

    /// The workspace descriptor, if the primitive needs one (max pooling, fused ReLU).
    public var workspace: MemoryDesc? {
        let md = md(dnnl_query_workspace_md)
        return md.raw.ndims == 0 ? nil : md
    }

    /// Runs the primitive. Executions are serialised process-wide: they share one stream
    /// and oneDNN's per-process scratchpad, and each already uses every core through OpenMP.
    ///
    /// Every primitive is created for tensors whose shapes were checked and allocated at
    /// compile time, so oneDNN refusing to run one is an internal fault or the host out of
    /// memory, not something input causes. It is kept, not trapped on: the executor's pass
    /// throws it when it ends (``DNNL/checkExecutions()``).
    public func execute(_ args: [(Int32, Tensor)]) {
        var list = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.memory) }
        dnnl.executionLock.lock()
        defer { dnnl.executionLock.unlock() }
        let status = dnnl_primitive_execute(primitive, dnnl.stream, Int32(list.count), &list)
        if status != dnnl_success, dnnl.fault == nil {
            dnnl.fault = DNNLError(status: status, what: "run a primitive compiled for checked shapes")
        }
    }
}
