import CDNNL

/// A oneDNN memory object over a 64-byte-aligned buffer that this object owns.
///
/// Tensors are allocated once per compiled shape and reused every iteration.
public class Tensor: @unchecked Sendable {
    public let desc: MemoryDesc
    public let memory: dnnl_memory_t
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int
    private let ownsBuffer: Bool

    public init(_ desc: MemoryDesc, zeroed: Bool = true) {
        self.desc = desc
        byteCount = max(desc.byteCount, 4)
        pointer = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
        ownsBuffer = true
        if zeroed { pointer.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount) }
        var md = desc.raw
        var mem: dnnl_memory_t?
        try! check(dnnl_memory_create(&mem, &md, DNNL.shared.engine, pointer), "wrap a buffer of \(byteCount) bytes")
        memory = mem!
    }

    public init(borrowing pointer: UnsafeMutableRawPointer, byteCount: Int, desc: MemoryDesc) {
        self.desc = desc
        self.pointer = pointer
        self.byteCount = byteCount
        ownsBuffer = false
        var md = desc.raw
        var mem: dnnl_memory_t?
        try! check(dnnl_memory_create(&mem, &md, DNNL.shared.engine, pointer), "wrap a borrowed buffer")
        memory = mem!
    }

    public convenience init(plain dims: [Int]) { self.init(.plain(dims)) }

    deinit {
        dnnl_memory_destroy(memory)
        if ownsBuffer { pointer.deallocate() }
    }

    public var dims: [Int] { desc.dims }
    public var elementCount: Int { desc.elementCount }

    /// The buffer as floats; meaningful element order only for plain layouts.
    public var floats: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer.assumingMemoryBound(to: Float.self), count: byteCount / 4)
    }

    public func fill(_ value: Float) { floats.update(repeating: value) }

    /// Copies plain row-major values in (this tensor must be plain f32).
    public func copy(from values: [Float]) {
        precondition(values.count == elementCount, "expected \(elementCount) values, got \(values.count)")
        values.withUnsafeBufferPointer { src in
            pointer.copyMemory(from: src.baseAddress!, byteCount: values.count * 4)
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
    public static func view(of base: Tensor, as desc: MemoryDesc) -> Tensor {
        precondition(desc.byteCount <= base.byteCount, "a view cannot be larger than its base tensor")
        return TensorView(base: base, desc: desc)
    }
}

/// A tensor that borrows another tensor's buffer.
final class TensorView: Tensor, @unchecked Sendable {
    let base: Tensor
    init(base: Tensor, desc: MemoryDesc) {
        self.base = base
        super.init(borrowing: base.pointer, byteCount: base.byteCount, desc: desc)
    }
}
