/// The colour conversions OpenCV applies when decoding, reproduced so our pixels match MXNet's.
enum ColorConversion {
    /// Gray from RGB with OpenCV's `cvtColor` fixed-point weights (0.299, 0.587, 0.114 in 14 bits).
    @inline(__always) static func gray(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let sum: Int = Int(r) * 4899 + Int(g) * 9617 + Int(b) * 1868
        return UInt8((sum + 8192) >> 14)
    }

    /// Gray from RGB as libpng's `png_set_rgb_to_gray(png, 1, 0.299, 0.587)` computes it, which is
    /// what OpenCV's PNG reader asks for with IMREAD_GRAYSCALE (15-bit weights, no gamma tables).
    @inline(__always) static func pngGray(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        let sum: Int = Int(r) * 9798 + Int(g) * 19235 + Int(b) * 3735
        return UInt8((sum + 16384) >> 15)
    }

    /// CMYK (as libjpeg returns Adobe's inverted CMYK) to RGB or gray, as OpenCV's
    /// `icvCvt_CMYK2BGR_8u_C4C3R`: channel = k - ((255 - c) * k >> 8).
    static func cmykToTarget(_ cmyk: [UInt8], channels: Int) -> [UInt8] {
        let count = cmyk.count / 4
        var out = [UInt8](repeating: 0, count: count * channels)
        cmyk.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    let c = Int(src[4 * i]), m = Int(src[4 * i + 1]), y = Int(src[4 * i + 2]), k = Int(src[4 * i + 3])
                    let r = UInt8(k - (((255 - c) * k) >> 8))
                    let g = UInt8(k - (((255 - m) * k) >> 8))
                    let b = UInt8(k - (((255 - y) * k) >> 8))
                    if channels == 3 {
                        dst[3 * i] = r; dst[3 * i + 1] = g; dst[3 * i + 2] = b
                    } else {
                        dst[i] = gray(r, g, b)
                    }
                }
            }
        }
        return out
    }
}
