import Support

/// What a decoder should produce: gray or RGB, and how large an image may be.
public struct DecodeOptions: Sendable, Equatable {
    /// 1 (gray) or 3 (RGB), as the first number of image_shape asks.
    public var channels: Int
    /// Largest width x height accepted; checked against the header before any pixel buffer is allocated.
    public var maxPixels: Int
    /// Longest side accepted (after EXIF orientation), in pixels; the README's limit unless a
    /// tool that shrinks images anyway (im2rec) lifts it.
    public var maxSide: Int

    public init(channels: Int = 3, maxPixels: Int = 100_000_000, maxSide: Int = ImageSideLimit.pixels) {
        precondition(channels == 1 || channels == 3, "channels must be 1 or 3")
        self.channels = channels
        self.maxPixels = maxPixels
        self.maxSide = maxSide
    }
}
