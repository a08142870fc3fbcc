/// One batch as the consumer sees it. The buffers belong to the loader and stay valid until
/// the next call to `BatchLoader.next()`.
public struct Batch {
    /// NCHW float32, raw 0..255 values, `batchSize` images.
    public let data: UnsafeBufferPointer<Float>
    /// `batchSize` x `labelWidth` floats.
    public let labels: UnsafeBufferPointer<Float>
    /// Real samples at the front; the last `pad` images repeat others to fill the batch
    /// (MXNet's round_batch at the end of an epoch, or images that failed to decode).
    public let count: Int
    public let pad: Int
    /// Source index of each image (stream position in pipe mode), padding included.
    public let sampleIndices: [Int]
    /// Position of this batch in the epoch.
    public let index: Int

    public init(data: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Float>, count: Int, pad: Int,
                sampleIndices: [Int], index: Int) {
        self.data = data
        self.labels = labels
        self.count = count
        self.pad = pad
        self.sampleIndices = sampleIndices
        self.index = index
    }
}

/// One preallocated batch buffer, reused for the whole run.
// Unchecked Sendable: each sample slot is written by the one worker that claimed it, and the consumer reads the buffer only after all of them have finished (under the loader's lock).
final class BatchBuffer: @unchecked Sendable {
    let data: UnsafeMutablePointer<Float>
    let labels: UnsafeMutablePointer<Float>
    let imageCount: Int, labelWidth: Int, batchSize: Int
    var ok: [Bool]
    var indices: [Int]
    var done = 0

    init(batchSize: Int, imageCount: Int, labelWidth: Int) {
        self.batchSize = batchSize
        self.imageCount = imageCount
        self.labelWidth = labelWidth
        data = .allocate(capacity: batchSize * imageCount)
        data.initialize(repeating: 0, count: batchSize * imageCount)
        labels = .allocate(capacity: batchSize * labelWidth)
        labels.initialize(repeating: 0, count: batchSize * labelWidth)
        ok = Array(repeating: false, count: batchSize)
        indices = Array(repeating: -1, count: batchSize)
    }

    deinit {
        data.deallocate()
        labels.deallocate()
    }

    func reset() {
        done = 0
        for i in 0..<batchSize { ok[i] = false; indices[i] = -1 }
    }

    /// Moves the good images to the front (in slot order) and fills the rest with copies of
    /// them; returns how many good images there are among the first `real` slots and in all.
    func compact() -> Int {
        var good = 0
        for slot in 0..<batchSize where ok[slot] {
            if slot != good { copySlot(slot, to: good); indices[good] = indices[slot] }
            good += 1
        }
        guard good > 0 else { return 0 }
        for slot in good..<batchSize {
            copySlot(slot % good, to: slot)
            indices[slot] = indices[slot % good]
        }
        return good
    }

    private func copySlot(_ from: Int, to: Int) {
        (data + to * imageCount).update(from: data + from * imageCount, count: imageCount)
        (labels + to * labelWidth).update(from: labels + from * labelWidth, count: labelWidth)
    }
}
