import Compute
import Graph

/// A fixed list of tensors (a model's gradients, weights or moving statistics) seen as one
/// flat run of floats, cut into buckets of about `bucketFloats` for MPI: few large messages
/// instead of one per layer, and no single message of the whole model.
struct FlatTensors {
    let tensors: [Tensor]
    let count: Int
    /// Bucket boundaries in flat float offsets.
    let buckets: [Range<Int>]

    init(_ tensors: [Tensor], bucketFloats: Int) {
        self.tensors = tensors
        count = tensors.reduce(0) { $0 + $1.elementCount }
        var buckets: [Range<Int>] = []
        var start = 0
        while start < count {
            let end = min(count, start + max(1, bucketFloats))
            buckets.append(start..<end)
            start = end
        }
        self.buckets = buckets
    }

    /// The store's gradients, in argument order (the same on every worker: one symbol).
    static func gradients(_ store: ParameterStore, bucketFloats: Int) -> FlatTensors {
        FlatTensors(store.argumentNames.compactMap { store.gradient($0) }, bucketFloats: bucketFloats)
    }

    /// The store's weights, to read (the agreement check, the dist_async window's first copy).
    static func arguments(_ store: ParameterStore, bucketFloats: Int) -> FlatTensors {
        FlatTensors(store.argumentNames.compactMap { store.argument($0) }, bucketFloats: bucketFloats)
    }

    /// The store's weights, to receive into (a broadcast, a dist_async exchange): taken
    /// inside `withMutableValues`, so the store knows they changed.
    static func arguments(_ values: MutableParameterValues, bucketFloats: Int) -> FlatTensors {
        FlatTensors(values.argumentNames.compactMap { values.argument($0) }, bucketFloats: bucketFloats)
    }

    /// The store's moving statistics, to receive into (a broadcast, the epoch's average).
    static func auxiliaries(_ values: MutableParameterValues, bucketFloats: Int) -> FlatTensors {
        FlatTensors(values.auxiliaryNames.compactMap { values.auxiliary($0) }, bucketFloats: bucketFloats)
    }

    /// Copies the tensors' floats in `range` into `buffer`, which holds `range.count` floats.
    func pack(_ range: Range<Int>, into buffer: UnsafeMutablePointer<Float>) {
        visit(range) { floats, lo, hi, flat in
            (buffer + (flat - range.lowerBound)).update(from: floats.baseAddress! + lo, count: hi - lo)
        }
    }

    /// Copies `buffer` (`range.count` floats) back into the tensors' floats in `range`.
    func unpack(_ range: Range<Int>, from buffer: UnsafePointer<Float>) {
        visit(range) { floats, lo, hi, flat in
            (floats.baseAddress! + lo).update(from: buffer + (flat - range.lowerBound), count: hi - lo)
        }
    }

    /// Calls `body(floats, lo, hi, flatOffset)` for each tensor's part that lies in `range`.
    private func visit(_ range: Range<Int>, _ body: (UnsafeMutableBufferPointer<Float>, Int, Int, Int) -> Void) {
        var offset = 0
        for t in tensors {
            let n = t.elementCount
            defer { offset += n }
            let lo = max(range.lowerBound, offset), hi = min(range.upperBound, offset + n)
            if lo >= hi { continue }
            body(t.floats, lo - offset, hi - offset, lo)
        }
    }

    /// A 64-bit hash of the exact bits, to check that workers agree without sending the weights.
    func bitHash() -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for t in tensors {
            let f = t.floats
            for i in 0..<f.count {
                h = (h ^ UInt64(f[i].bitPattern)) &* 0x0000_0100_0000_01B3
            }
        }
        return h
    }
}
