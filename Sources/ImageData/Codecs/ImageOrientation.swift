/// Turns decoded pixels upright for an EXIF orientation (1...8), the way OpenCV's
/// `ExifTransform` does: flips for 2, 3, 4; a transpose then a flip for 5...8.
extension Image {
    /// The image as a viewer shows it; `orientation` 1 (or anything outside 2...8) is the image itself.
    func oriented(_ orientation: Int) -> Image {
        guard (2...8).contains(orientation) else { return self }
        let w = width, h = height, c = channels
        let swaps = ExifOrientation.swapsSides(orientation)
        let outW = swaps ? h : w, outH = swaps ? w : h
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outH {
                    for x in 0..<outW {
                        // The stored pixel shown at (x, y).
                        let source: (x: Int, y: Int)
                        switch orientation {
                        case 2: source = (w - 1 - x, y)          // mirrored
                        case 3: source = (w - 1 - x, h - 1 - y)  // upside down
                        case 4: source = (x, h - 1 - y)          // mirrored vertically
                        case 5: source = (y, x)                  // transposed
                        case 6: source = (y, h - 1 - x)          // stored a quarter turn left
                        case 7: source = (w - 1 - y, h - 1 - x)  // transverse
                        default: source = (w - 1 - y, x)         // 8: stored a quarter turn right
                        }
                        let s = (source.y * w + source.x) * c, d = (y * outW + x) * c
                        for k in 0..<c { dst[d + k] = src[s + k] }
                    }
                }
            }
        }
        return Image(width: outW, height: outH, channels: c, pixels: out)
    }
}
