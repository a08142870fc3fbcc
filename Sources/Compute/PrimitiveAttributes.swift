import CDNNL

/// oneDNN primitive attributes: the post-ops a primitive runs on its result before writing
/// it (a residual sum, a ReLU), and per-channel output scales (int8).
// Unchecked Sendable: built once while an executor compiles, then only read by oneDNN when a primitive is created.
public final class PrimitiveAttributes: @unchecked Sendable {
    public let raw: dnnl_primitive_attr_t
    private let postOps: dnnl_post_ops_t

    public init() throws {
        var attr: dnnl_primitive_attr_t?
        try check(dnnl_primitive_attr_create(&attr), "create primitive attributes")
        guard let attr else { throw DNNLError(status: dnnl_runtime_error, what: "create primitive attributes") }
        var ops: dnnl_post_ops_t?
        let status = dnnl_post_ops_create(&ops)
        guard status == dnnl_success, let ops else {
            dnnl_primitive_attr_destroy(attr)
            throw DNNLError(status: status == dnnl_success ? dnnl_runtime_error : status, what: "create post-ops")
        }
        raw = attr
        postOps = ops
    }

    deinit {
        dnnl_post_ops_destroy(postOps)
        dnnl_primitive_attr_destroy(raw)
    }

    /// dst = result + dst: the primitive adds into what its destination already holds.
    public func appendSum() throws {
        try check(dnnl_post_ops_append_sum(postOps, 1), "append a sum post-op")
        try check(dnnl_primitive_attr_set_post_ops(raw, postOps), "set post-ops")
    }

    /// dst = max(dst, 0), after any earlier post-op.
    public func appendReLU() throws {
        try check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), "append a ReLU post-op")
        try check(dnnl_primitive_attr_set_post_ops(raw, postOps), "set post-ops")
    }

    /// Output scales: one for all (`mask` 0) or one per output channel (`mask` 1 << 1).
    public func setOutputScales(_ scales: [Float], mask: Int32) throws {
        try check(dnnl_primitive_attr_set_output_scales(raw, Int64(scales.count), mask, scales), "set output scales")
    }
}

extension Reorder {
    /// A reorder that also scales (and converts, with rounding and saturation, e.g. f32 to
    /// s8/u8): `dst = scales * src`, one scale (mask 0) or one per index of the masked axes.
    public convenience init(from source: MemoryDesc, to destination: MemoryDesc, scales: [Float], mask: Int32) throws {
        let attributes = try PrimitiveAttributes()
        try attributes.setOutputScales(scales, mask: mask)
        try self.init(from: source, to: destination, attributes: attributes)
    }
}

extension Primitive {
    /// The implementation oneDNN chose (e.g. `jit_uni_int8:avx2`, `ref:any`), for diagnostics.
    public var implementation: String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else { return "unknown" }
        return String(cString: name)
    }
}

extension DNNL {
    /// Whether oneDNN's int8 kernels have VNNI dot products here (AVX-512 VNNI or AVX-VNNI).
    /// Without them (plain AVX2 or AVX-512), u8 x s8 products are added in pairs into 16 bits
    /// (vpmaddubsw), which saturates when inputs and weights are both near full range: oneDNN
    /// halves the weights itself for s8 inputs, but u8 inputs must then stay within 0...127.
    public static var hasInt8DotProduct: Bool {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        return isa & dnnl_cpu_isa_avx512_core_vnni.rawValue == dnnl_cpu_isa_avx512_core_vnni.rawValue
            || isa & dnnl_cpu_isa_avx2_vnni.rawValue == dnnl_cpu_isa_avx2_vnni.rawValue
    }
}
