/// Fills an output window by bilinear sampling of a source image through an `AffineMap`:
/// resize, crop, mirror and rotation in one pass over the output pixels only.
enum BilinearSampler {
    /// Axis-aligned maps (no rotation or shear): per-column and per-row tables, OpenCV's
    /// INTER_LINEAR edge rule (coordinates clamp to the border pixels).
    static func sampleSeparable(src: UnsafePointer<UInt8>, width w: Int, height h: Int, channels cn: Int,
                                map: AffineMap, dst: UnsafeMutablePointer<UInt8>, outWidth ow: Int, outHeight oh: Int,
                                workspace ws: AugmentWorkspace) {
        let xIndex = ws.xIndex, xWeight = ws.xWeight
        for ox in 0..<ow {
            let (i0, i1, t) = tap(map.a * Double(ox) + map.c, size: w)
            xIndex[2 * ox] = Int32(i0 * cn)
            xIndex[2 * ox + 1] = Int32(i1 * cn)
            xWeight[ox] = Float(t)
        }
        let rowStride = w * cn
        for oy in 0..<oh {
            let (j0, j1, tyD) = tap(map.e * Double(oy) + map.f, size: h)
            let ty = Float(tyD), sy = 1 - ty
            let rowA = src + j0 * rowStride, rowB = src + j1 * rowStride
            var out = dst + oy * ow * cn
            if cn == 3 {
                for ox in 0..<ow {
                    let p0 = Int(xIndex[2 * ox]), p1 = Int(xIndex[2 * ox + 1])
                    let tx = xWeight[ox], sx = 1 - tx
                    for c in 0..<3 {
                        let top = Float(rowA[p0 + c]) * sx + Float(rowA[p1 + c]) * tx
                        let bottom = Float(rowB[p0 + c]) * sx + Float(rowB[p1 + c]) * tx
                        out[c] = byte(top * sy + bottom * ty)
                    }
                    out += 3
                }
            } else {
                for ox in 0..<ow {
                    let p0 = Int(xIndex[2 * ox]), p1 = Int(xIndex[2 * ox + 1])
                    let tx = xWeight[ox], sx = 1 - tx
                    for c in 0..<cn {
                        let top = Float(rowA[p0 + c]) * sx + Float(rowA[p1 + c]) * tx
                        let bottom = Float(rowB[p0 + c]) * sx + Float(rowB[p1 + c]) * tx
                        out[c] = byte(top * sy + bottom * ty)
                    }
                    out += cn
                }
            }
        }
    }

    /// The two source indices and the weight of the second, for coordinate `x` in `0..<size`.
    @inline(__always)
    private static func tap(_ x: Double, size: Int) -> (Int, Int, Double) {
        let f = x.rounded(.down)
        var i0 = Int(f), t = x - f
        if i0 < 0 { i0 = 0; t = 0 }
        if i0 >= size - 1 { i0 = size - 1; t = 0 }
        return (i0, min(i0 + 1, size - 1), t)
    }

    /// Rounds `v` (in 0...255) to the nearest integer byte without a checked conversion:
    /// adding 2^23 leaves the rounded integer in the low mantissa bits.
    @inline(__always)
    static func byte(_ v: Float) -> UInt8 {
        UInt8(truncatingIfNeeded: (v + 8_388_608).bitPattern)
    }

    /// General maps: per-pixel coordinates; neighbours outside the source take `fill`
    /// (OpenCV's BORDER_CONSTANT). Coordinates step in 32.32 fixed point, so the floor is a
    /// shift and the weight a mask.
    static func sampleAffine(src: UnsafePointer<UInt8>, width w: Int, height h: Int, channels cn: Int,
                             map: AffineMap, fill: UInt8, dst: UnsafeMutablePointer<UInt8>, outWidth ow: Int, outHeight oh: Int) {
        let fillF = Float(fill)
        let rowStride = w * cn
        let one = 4_294_967_296.0                 // 2^32
        let fracScale: Float = 1.0 / 4_294_967_296.0
        let stepX = Int((map.a * one).rounded()), stepY = Int((map.d * one).rounded())
        var out = dst
        for oy in 0..<oh {
            var fx = Int(((map.b * Double(oy) + map.c) * one).rounded())
            var fy = Int(((map.e * Double(oy) + map.f) * one).rounded())
            for _ in 0..<ow {
                let x0 = fx >> 32, y0 = fy >> 32
                let tx = Float(fx & 0xFFFF_FFFF) * fracScale, ty = Float(fy & 0xFFFF_FFFF) * fracScale
                if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h && cn == 3 {
                    // The common case, unrolled: all four neighbours inside, RGB.
                    let p = src + y0 * rowStride + x0 * 3
                    let q = p + rowStride
                    let w00 = (1 - tx) * (1 - ty), w01 = tx * (1 - ty), w10 = (1 - tx) * ty, w11 = tx * ty
                    out[0] = byte(Float(p[0]) * w00 + Float(p[3]) * w01 + Float(q[0]) * w10 + Float(q[3]) * w11)
                    out[1] = byte(Float(p[1]) * w00 + Float(p[4]) * w01 + Float(q[1]) * w10 + Float(q[4]) * w11)
                    out[2] = byte(Float(p[2]) * w00 + Float(p[5]) * w01 + Float(q[2]) * w10 + Float(q[5]) * w11)
                } else if x0 < -1 || y0 < -1 || x0 >= w || y0 >= h {
                    for c in 0..<cn { out[c] = fill }
                } else {
                    for c in 0..<cn {
                        @inline(__always) func at(_ x: Int, _ y: Int) -> Float {
                            (x >= 0 && y >= 0 && x < w && y < h) ? Float(src[y * rowStride + x * cn + c]) : fillF
                        }
                        let top = at(x0, y0) * (1 - tx) + at(x0 + 1, y0) * tx
                        let bottom = at(x0, y0 + 1) * (1 - tx) + at(x0 + 1, y0 + 1) * tx
                        out[c] = byte(top * (1 - ty) + bottom * ty)
                    }
                }
                out += cn
                fx &+= stepX
                fy &+= stepY
            }
        }
    }
}
