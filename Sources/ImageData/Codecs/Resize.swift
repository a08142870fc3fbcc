/// Image resizing with OpenCV's semantics, so sizes and pixels follow what MXNet's tools produce.
public enum Resize {
    /// Bilinear resize as OpenCV's `cv::resize(..., INTER_LINEAR)` on 8-bit images: pixel centres at
    /// half-integers (`sx = (dx + 0.5) * srcW / dstW - 0.5`), edge pixels clamped, weights in 11-bit
    /// fixed point, rounded once after both passes.
    public static func bilinear(_ image: Image, width: Int, height: Int) -> Image {
        precondition(width > 0 && height > 0, "resize target must be positive")
        if width == image.width && height == image.height { return image }
        let cn = image.channels
        let xs = taps(source: image.width, target: width)
        let ys = taps(source: image.height, target: height)
        var out = [UInt8](repeating: 0, count: width * height * cn)
        // One horizontally resized row per source row that is needed, as 32-bit fixed point.
        var rowA = [Int32](repeating: 0, count: width * cn), rowB = rowA
        var cachedA = -1, cachedB = -1
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                func horizontal(_ sy: Int, into row: inout [Int32]) {
                    let base = sy * image.width * cn
                    for dx in 0..<width {
                        let t = xs[dx]
                        for c in 0..<cn {
                            row[dx * cn + c] = Int32(src[base + t.i0 * cn + c]) * t.w0 + Int32(src[base + t.i1 * cn + c]) * t.w1
                        }
                    }
                }
                for dy in 0..<height {
                    let t = ys[dy]
                    if cachedA != t.i0 { horizontal(t.i0, into: &rowA); cachedA = t.i0 }
                    if cachedB != t.i1 { horizontal(t.i1, into: &rowB); cachedB = t.i1 }
                    let base = dy * width * cn
                    for k in 0..<(width * cn) {
                        let v = (Int64(rowA[k]) * Int64(t.w0) + Int64(rowB[k]) * Int64(t.w1) + (1 << 21)) >> 22
                        dst[base + k] = UInt8(clamping: v)
                    }
                }
            }
        }
        return Image(width: width, height: height, channels: cn, pixels: out)
    }

    /// Source indices and 11-bit weights for each target coordinate.
    private static func taps(source: Int, target: Int) -> [(i0: Int, i1: Int, w0: Int32, w1: Int32)] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { d in
            var f = Float((Double(d) + 0.5) * scale - 0.5)
            var s = Int(f.rounded(.down))
            f -= Float(s)
            if s < 0 { f = 0; s = 0 }
            if s >= source - 1 { f = 0; s = source - 1 }
            let w1 = Int32((f * 2048).rounded(.toNearestOrEven))
            let w0 = Int32(((1 - f) * 2048).rounded(.toNearestOrEven))
            return (s, min(s + 1, source - 1), w0, w1)
        }
    }
}
