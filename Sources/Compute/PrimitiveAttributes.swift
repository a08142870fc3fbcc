import CDNNL

/// oneDNN primitive attributes (oneDNN 2.x API): output scales and post-ops, owned and
/// destroyed with this object. Used by the int8 convolution and its quantizing reorders.
public final class PrimitiveAttributes {
    public let raw: dnnl_primitive_attr_t

    public init() throws(DNNLError) {
        var attr: dnnl_primitive_attr_t?
        try check(dnnl_primitive_attr_create(&attr), "create primitive attributes")
        guard let attr else { throw DNNLError(status: dnnl_runtime_error, what: "create primitive attributes") }
        raw = attr
    }

    deinit { dnnl_primitive_attr_destroy(raw) }

    /// `dst = scale * result`: one scale (mask 0) or one per index of the dimensions in
    /// `mask` (e.g. 1 << 1, a convolution's output channels; 1 << 0, a weight's O axis).
    public func setOutputScales(_ scales: [Float], mask: Int32) throws(DNNLError) {
        try check(dnnl_primitive_attr_set_output_scales(raw, Int64(scales.count), mask, scales), "set \(scales.count) output scale(s)")
    }

    /// Post-ops run in order after the output scales: `sum` adds what dst held before
    /// (scaled), `relu` clamps at zero.
    public enum PostOp { case sum(scale: Float), relu }

    public func setPostOps(_ ops: [PostOp]) throws(DNNLError) {
        guard !ops.isEmpty else { return }
        var postOps: dnnl_post_ops_t?
        try check(dnnl_post_ops_create(&postOps), "create post-ops")
        guard let postOps else { throw DNNLError(status: dnnl_runtime_error, what: "create post-ops") }
        defer { dnnl_post_ops_destroy(postOps) }
        for op in ops {
            switch op {
            case let .sum(scale): try check(dnnl_post_ops_append_sum_v2(postOps, scale, dnnl_data_type_undef), "append a sum post-op")
            case .relu: try check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), "append a ReLU post-op")
            }
        }
        try check(dnnl_primitive_attr_set_post_ops(raw, postOps), "set post-ops")
    }
}

extension Reorder {
    /// A reorder that also scales (and converts, with rounding and saturation, e.g. f32 to
    /// s8/u8): `dst = scales * src`, one scale (mask 0) or one per index of the masked axes.
    public convenience init(from source: MemoryDesc, to destination: MemoryDesc, scales: [Float], mask: Int32) throws {
        let attr = try PrimitiveAttributes()
        try attr.setOutputScales(scales, mask: mask)
        try self.init(from: source, to: destination, attributes: attr)
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
