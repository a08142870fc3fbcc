import CDNNL

/// A oneDNN memory descriptor: logical dimensions, data type and physical layout.
// Unchecked Sendable: a plain C struct copied by value; it holds no pointers into shared memory.
public struct MemoryDesc: @unchecked Sendable, Equatable {
    public var raw: dnnl_memory_desc_t

    public init(raw: dnnl_memory_desc_t) { self.raw = raw }

    /// A descriptor with an explicit layout (`dnnl_nchw`, `dnnl_oihw`, `dnnl_nc`, `dnnl_a`...)
    /// or `dnnl_format_tag_any` to let a primitive choose. Dimensions must be
    /// non-negative and their product must not overflow.
    public init(_ dims: [Int], _ tag: dnnl_format_tag_t, type: dnnl_data_type_t = dnnl_f32) throws {
        guard dims.allSatisfy({ $0 >= 0 }), MemoryDesc.elementCount(dims) != nil else {
            throw ComputeError(detail: "a tensor of shape \(dims) cannot be described: dimensions must be non-negative and their product must fit in 64 bits")
        }
        var md = dnnl_memory_desc_t()
        let d = dims.map { Int64($0) }
        try check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, type, tag),
                  "describe a tensor of shape \(dims)")
        raw = md
    }

    /// The plain row-major layout for a tensor of this rank (MXNet's layout).
    public static func plain(_ dims: [Int], type: dnnl_data_type_t = dnnl_f32) throws -> MemoryDesc {
        try MemoryDesc(dims, plainTag(rank: dims.count), type: type)
    }

    public static func any(_ dims: [Int], type: dnnl_data_type_t = dnnl_f32) throws -> MemoryDesc {
        try MemoryDesc(dims, dnnl_format_tag_any, type: type)
    }

    /// Ranks 1 to 5 have a plain layout here; anything else is refused.
    public static func plainTag(rank: Int) throws -> dnnl_format_tag_t {
        switch rank {
        case 1: return dnnl_a
        case 2: return dnnl_ab
        case 3: return dnnl_abc
        case 4: return dnnl_abcd
        case 5: return dnnl_abcde
        default: throw ComputeError(detail: "tensors of rank \(rank) are not supported (ranks 1 to 5 are)")
        }
    }

    /// The product of `dims`, or nil when it overflows: the one checked shape product
    /// (Graph's shape rules use it too).
    public static func elementCount(_ dims: some Sequence<Int>) -> Int? {
        var n = 1
        for d in dims {
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }

    public var dims: [Int] {
        withUnsafeBytes(of: raw.dims) { buf in
            Array(buf.bindMemory(to: Int64.self).prefix(Int(raw.ndims))).map { Int($0) }
        }
    }

    /// Bytes needed to hold a tensor of this descriptor (blocked layouts include padding).
    public var byteCount: Int {
        var md = raw
        return dnnl_memory_desc_get_size(&md)
    }

    /// Elements of the logical shape (descriptors are only made for shapes whose product fits).
    public var elementCount: Int { MemoryDesc.elementCount(dims) ?? 0 }

    public var dataType: dnnl_data_type_t { raw.data_type }

    public static func == (a: MemoryDesc, b: MemoryDesc) -> Bool {
        var x = a.raw, y = b.raw
        return dnnl_memory_desc_equal(&x, &y) != 0
    }

    /// Whether this is the plain row-major layout of its dims.
    public var isPlain: Bool { (try? MemoryDesc.plain(dims, type: dataType)).map { self == $0 } ?? false }
}
