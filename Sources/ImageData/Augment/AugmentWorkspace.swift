/// Scratch memory for one thread's augmentations, allocated once and reused for every
/// sample (no allocation per image or per pixel).
public final class AugmentWorkspace {
    let pixels: UnsafeMutablePointer<UInt8>
    let pixelCount: Int
    let xIndex: UnsafeMutablePointer<Int32>
    let xWeight: UnsafeMutablePointer<Float>
    let width: Int

    /// Workspace for outputs of `width` x `height` x `channels`.
    public init(width: Int, height: Int, channels: Int) {
        pixelCount = width * height * channels
        pixels = .allocate(capacity: pixelCount)
        xIndex = .allocate(capacity: 2 * width)
        xWeight = .allocate(capacity: width)
        self.width = width
    }

    deinit {
        pixels.deallocate()
        xIndex.deallocate()
        xWeight.deallocate()
    }
}
