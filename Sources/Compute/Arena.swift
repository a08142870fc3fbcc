/// Raw 64-byte-aligned buffers that several tensors take turns to use.
///
/// Two uses in training executors:
/// - gradient buffers assigned by lifetime (a value's gradient lives from its last
///   consumer's backward step to its producer's), so values whose gradients never live at
///   the same time share memory;
/// - scratch "slots" for conversions that live within one op's backward step: every op
///   uses the same slot buffers, sized to the largest request.
// Unchecked Sendable: reservations and buffers are made while one executor compiles; afterwards only that executor's thread uses them.
public final class Arena: @unchecked Sendable {
    public private(set) var buffers: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    private var slotSizes: [Int: Int] = [:]
    private var slotBuffers: [Int: Int] = [:]

    public init() {}

    deinit { for b in buffers { AlignedMemory.release(b.pointer) } }

    /// Total bytes held.
    public var byteCount: Int { buffers.reduce(0) { $0 + $1.bytes } }

    /// A new zeroed buffer of at least `bytes`; returns its index. Throws an
    /// ``AllocationError`` naming the size when the host cannot provide it.
    public func allocate(bytes: Int) throws(AllocationError) -> Int {
        let size = max(bytes, 64)
        let p = try AlignedMemory.allocate(bytes: size)
        p.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        buffers.append((p, size))
        return buffers.count - 1
    }

    /// A tensor over buffer `index` (which must hold `desc`); it keeps the arena alive.
    public func tensor(_ desc: MemoryDesc, buffer index: Int) throws -> Tensor {
        guard buffers.indices.contains(index) else {
            throw ComputeError(detail: "arena buffer \(index) does not exist (\(buffers.count) buffers)")
        }
        return try Tensor(borrowing: buffers[index].pointer, byteCount: buffers[index].bytes, desc: desc, owner: self)
    }

    /// Declares that scratch slot `slot` will hold a tensor of `desc` (call during compilation).
    public func reserve(slot: Int, _ desc: MemoryDesc) {
        slotSizes[slot] = max(slotSizes[slot] ?? 0, desc.byteCount)
    }

    /// A tensor over scratch slot `slot`, sized to the slot's largest reservation (make
    /// scratch tensors after every reservation, so that one buffer serves them all).
    public func scratch(slot: Int, _ desc: MemoryDesc) throws -> Tensor {
        let index: Int
        if let existing = slotBuffers[slot], buffers[existing].bytes >= desc.byteCount {
            index = existing
        } else {
            index = try allocate(bytes: max(slotSizes[slot] ?? 0, desc.byteCount))
            slotBuffers[slot] = index
        }
        return try tensor(desc, buffer: index)
    }
}

extension Arena {
    /// Buffers for tensors that live over inclusive step ranges: tensors whose ranges never
    /// overlap share a buffer (the smallest free one that fits). Returns each request's
    /// buffer index, in request order.
    public func assign(_ requests: [(start: Int, end: Int, bytes: Int)]) throws(AllocationError) -> [Int] {
        var result = [Int](repeating: -1, count: requests.count)
        var free: [(buffer: Int, bytes: Int)] = []
        var active: [(end: Int, buffer: Int, bytes: Int)] = []
        for i in requests.indices.sorted(by: { requests[$0].start < requests[$1].start }) {
            let r = requests[i]
            active.removeAll { a in
                if a.end < r.start { free.append((a.buffer, a.bytes)); return true }
                return false
            }
            let fit = free.indices.filter { free[$0].bytes >= r.bytes }.min { free[$0].bytes < free[$1].bytes }
            let chosen: (buffer: Int, bytes: Int)
            if let fit { chosen = free.remove(at: fit) } else { chosen = (try allocate(bytes: r.bytes), r.bytes) }
            result[i] = chosen.buffer
            active.append((r.end, chosen.buffer, chosen.bytes))
        }
        return result
    }
}
