import CDNNL

/// Converts a tensor between two layouts of the same logical shape (e.g. MXNet's plain
/// OIHW weights to the blocked layout a convolution prefers, and back).
// Unchecked Sendable: an immutable primitive handle, executed under DNNL.executionLock.
public final class Reorder: @unchecked Sendable {
    let primitive: Primitive
    public let source: MemoryDesc
    public let destination: MemoryDesc

    /// `attributes` may scale the values on the way (see `init(from:to:scales:mask:)`).
    public init(from source: MemoryDesc, to destination: MemoryDesc, attributes: PrimitiveAttributes? = nil) throws {
        var pd: dnnl_primitive_desc_t?
        var s = source.raw, d = destination.raw
        let what = "reorder a tensor of shape \(source.dims)"
        let engine = try DNNL.shared.engine
        try check(dnnl_reorder_primitive_desc_create(&pd, &s, engine, &d, engine, attributes?.raw), what)
        guard let pd else { throw DNNLError(status: dnnl_runtime_error, what: what) }
        primitive = try Primitive(pd: pd, what: what)
        self.source = source
        self.destination = destination
    }

    public func run(_ src: Tensor, _ dst: Tensor) {
        primitive.execute([(DNNL_ARG_FROM, src), (DNNL_ARG_TO, dst)])
    }

    /// A one-off conversion into a new tensor of the destination layout.
    public static func convert(_ src: Tensor, to desc: MemoryDesc) throws -> Tensor {
        let dst = try Tensor(desc, zeroed: false)
        try Reorder(from: src.desc, to: desc).run(src, dst)
        return dst
    }
}

extension Reorder {
    /// A reorder from `source` to `destination`, or nil when the layouts are the same.
    public static func ifNeeded(from source: MemoryDesc, to destination: MemoryDesc) throws -> Reorder? {
        source == destination ? nil : try Reorder(from: source, to: destination)
    }
}

/// Adds a tensor into another of the same layout: `dst += src` (gradient accumulation where
/// one value feeds several consumers).
// Unchecked Sendable: an immutable primitive handle, executed under DNNL.executionLock.
public final class Accumulate: @unchecked Sendable {
    let primitive: Primitive

    public init(_ desc: MemoryDesc) throws {
        var pd: dnnl_primitive_desc_t?
        var mds = [desc.raw, desc.raw]
        var dst = desc.raw
        let scales: [Float] = [1, 1]
        let what = "sum tensors of shape \(desc.dims)"
        try check(dnnl_sum_primitive_desc_create(&pd, &dst, 2, scales, &mds, nil, (try DNNL.shared).engine), what)
        guard let pd else { throw DNNLError(status: dnnl_runtime_error, what: what) }
        primitive = try Primitive(pd: pd, what: what)
    }

    public func run(add src: Tensor, into dst: Tensor) {
        primitive.execute([(DNNL_ARG_MULTIPLE_SRC, dst), (DNNL_ARG_MULTIPLE_SRC + 1, src), (DNNL_ARG_DST, dst)])
    }
}
