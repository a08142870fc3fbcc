import CDNNL

/// A oneDNN memory object over a 64-byte-aligned buffer that this object owns.
///
/// Tensors are allocated once per compiled shape and reused every iteration.
// Unchecked Sendable: the buffer pointer never changes; its contents are written by one thread at a time (whoever owns the executor or batch using it).
public final class Tensor: @unchecked Sendable {
    public let desc: MemoryDesc
    public let memory: dnnl_memory_t
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int
    private let ownsBuffer: Bool
    /// What owns a borrowed buffer (an arena, the tensor viewed): kept alive while this is.
    private let bufferOwner: AnyObject?

    /// Allocates a buffer for `desc`. Callers bound the size first (the executor checks
    /// every shape against its memory limits before compiling); a host that cannot provide
    /// it still fails with an ``AllocationError`` naming the size.
    public init(_ desc: MemoryDesc, zeroed: Bool = true) throws {
        let bytes = max(desc.byteCount, 4)
        var md = desc.raw
        var mem: dnnl_memory_t?
        let p = try AlignedMemory.allocate(bytes: bytes)
        let status = dnnl_memory_create(&mem, &md, (try DNNL.shared).engine, p)
        guard status == dnnl_success, let mem else {
            AlignedMemory.release(p)
            throw DNNLError(status: status, what: "wrap a buffer of \(bytes) bytes for shape \(desc.dims)")
        }
        if zeroed { p.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
        self.desc = desc
        byteCount = bytes
        pointer = p
        memory = mem
        ownsBuffer = true
        bufferOwner = nil
    }

    /// A tensor over memory it does not own; `owner` (the arena or tensor the memory belongs
    /// to) is kept alive as long as this tensor, so the memory cannot go first.
    public init(borrowing pointer: UnsafeMutableRawPointer, byteCount: Int, desc: MemoryDesc, owner: AnyObject?) throws {
        guard desc.byteCount <= byteCount else {
            throw ComputeError(detail: "a tensor of shape \(desc.dims) needs \(desc.byteCount) bytes, but the buffer it would borrow holds \(byteCount)")
        }
        var md = desc.raw
        var mem: dnnl_memory_t?
        try check(dnnl_memory_create(&mem, &md, (try DNNL.shared).engine, pointer), "wrap a borrowed buffer")
        guard let mem else { throw DNNLError(status: dnnl_runtime_error, what: "wrap a borrowed buffer") }
        self.desc = desc
        self.pointer = pointer
        self.byteCount = byteCount
        memory = mem
        ownsBuffer = false
        bufferOwner = owner
    }

    public convenience init(plain dims: [Int]) throws { try self.init(.plain(dims)) }

    deinit {
        dnnl_memory_destroy(memory)
        if ownsBuffer { AlignedMemory.release(pointer) }
    }

    public var dims: [Int] { desc.dims }
    public var elementCount: Int { desc.elementCount }

    /// The buffer as floats; meaningful element order only for plain layouts.
    public var floats: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer.assumingMemoryBound(to: Float.self), count: byteCount / 4)
    }

    public func fill(_ value: Float) { floats.update(repeating: value) }

    /// Copies plain row-major values in (this tensor must be plain f32). Copies at most
    /// the tensor's element count; the caller supplies exactly that many (checked in debug).
    public func copy(from values: [Float]) {
        assert(values.count == elementCount, "expected \(elementCount) values, got \(values.count)")
        values.withUnsafeBytes { src in
            guard let base = src.baseAddress else { return }
            pointer.copyMemory(from: base, byteCount: min(src.count, elementCount * 4, byteCount))
        }
    }

    public func copy(from source: UnsafePointer<Float>) {
        pointer.copyMemory(from: source, byteCount: elementCount * 4)
    }

    /// The values of a plain f32 tensor, row-major.
    public func toArray() -> [Float] { Array(floats.prefix(elementCount)) }
}

extension Tensor {
    /// Another descriptor over the same bytes (e.g. a plain [N,C,1,1] tensor seen as [N,C]).
    /// The view keeps `base` alive.
    public static func view(of base: Tensor, as desc: MemoryDesc) throws -> Tensor {
        try Tensor(borrowing: base.pointer, byteCount: base.byteCount, desc: desc, owner: base)
    }
}
