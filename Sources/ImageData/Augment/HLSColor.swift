/// Random colour offsets in HLS space, as MXNet's augmenter applies them with OpenCV
/// (hue on 0..180, lightness and saturation on 0..255, each clamped, never wrapped).
/// Unlike OpenCV's 8-bit round trip, the HLS values stay continuous, so zero offsets leave
/// pixels unchanged; results are rounded to whole 0..255 values as an 8-bit image would be.
public enum HLSColor {
    /// Adds the offsets to three float planes (R, G, B, values 0...255) in place.
    ///
    /// The loop has no branches and no integer conversions, so the compiler vectorises it.
    public static func adjustPlanes(r: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>,
                                    b: UnsafeMutablePointer<Float>, count: Int,
                                    hue dh: Int, saturation ds: Int, lightness dl: Int) {
        let hueShift = Float(dh) * 2            // 0..180 scale -> degrees
        let satShift = Float(ds) / 255, lightShift = Float(dl) / 255
        let inv255: Float = 1.0 / 255
        let magic: Float = 8_388_608            // 2^23: adding and subtracting rounds to an integer
        // Two passes, RGB -> shifted HLS in place, then back: each loop keeps few enough
        // values live to stay in SSE registers.
        for i in 0..<count {
            let rv = r[i] * inv255, gv = g[i] * inv255, bv = b[i] * inv255
            let vmax = Swift.max(Swift.max(rv, gv), bv), vmin = Swift.min(Swift.min(rv, gv), bv)
            let diff = vmax - vmin, sum = vmax + vmin
            let grey = diff <= 1e-6
            let l = sum * 0.5
            let denominator = l < 0.5 ? sum : 2 - sum
            let s = grey ? 0 : diff / Swift.max(denominator, 1e-6)
            let k = 60 / Swift.max(diff, 1e-6)
            var h = vmax == rv ? (gv - bv) * k : (vmax == gv ? (bv - rv) * k + 120 : (rv - gv) * k + 240)
            h = h < 0 ? h + 360 : h
            h = grey ? 0 : h
            r[i] = Swift.min(Swift.max(h + hueShift, 0), 360) * (1.0 / 30)
            g[i] = Swift.min(Swift.max(l + lightShift, 0), 1)
            b[i] = Swift.min(Swift.max(s + satShift, 0), 1)
        }
        // HLS -> RGB: f(n) = l - a * max(-1, min(k - 3, 9 - k, 1)),
        // k = (n + h / 30) mod 12, a = s * min(l, 1 - l).
        for i in 0..<count {
            let h30 = r[i], l = g[i], s = b[i]
            let a = s * Swift.min(l, 1 - l)
            var kr = h30, kg = h30 + 8, kb = h30 + 4
            kr = kr >= 12 ? kr - 12 : kr
            kg = kg >= 12 ? kg - 12 : kg
            kb = kb >= 12 ? kb - 12 : kb
            let tr = Swift.max(-1, Swift.min(Swift.min(kr - 3, 9 - kr), 1))
            let tg = Swift.max(-1, Swift.min(Swift.min(kg - 3, 9 - kg), 1))
            let tb = Swift.max(-1, Swift.min(Swift.min(kb - 3, 9 - kb), 1))
            let ro = Swift.min(Swift.max((l - a * tr) * 255, 0), 255)
            let go = Swift.min(Swift.max((l - a * tg) * 255, 0), 255)
            let bo = Swift.min(Swift.max((l - a * tb) * 255, 0), 255)
            r[i] = (ro + magic) - magic
            g[i] = (go + magic) - magic
            b[i] = (bo + magic) - magic
        }
    }

    /// Adds the offsets to `count` interleaved 8-bit RGB pixels in place.
    public static func adjust(_ rgb: UnsafeMutablePointer<UInt8>, count: Int, hue dh: Int, saturation ds: Int, lightness dl: Int) {
        let planes = UnsafeMutablePointer<Float>.allocate(capacity: 3 * count)
        defer { planes.deallocate() }
        for i in 0..<count {
            planes[i] = Float(rgb[3 * i]); planes[count + i] = Float(rgb[3 * i + 1]); planes[2 * count + i] = Float(rgb[3 * i + 2])
        }
        adjustPlanes(r: planes, g: planes + count, b: planes + 2 * count, count: count, hue: dh, saturation: ds, lightness: dl)
        for i in 0..<count {
            rgb[3 * i] = UInt8(planes[i]); rgb[3 * i + 1] = UInt8(planes[count + i]); rgb[3 * i + 2] = UInt8(planes[2 * count + i])
        }
    }
}
