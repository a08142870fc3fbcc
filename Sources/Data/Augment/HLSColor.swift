/// Random colour offsets in HLS space, as MXNet's augmenter applies them with OpenCV
/// (hue on 0..180, lightness and saturation on 0..255, each clamped, never wrapped).
/// Unlike OpenCV's 8-bit round trip, the HLS values stay continuous, so zero offsets leave
/// pixels unchanged.
public enum HLSColor {
    /// Adds the offsets to `count` interleaved RGB pixels in place.
    public static func adjust(_ rgb: UnsafeMutablePointer<UInt8>, count: Int, hue dh: Int, saturation ds: Int, lightness dl: Int) {
        let hueShift = Float(dh) * 2            // 0..180 scale -> degrees
        let satShift = Float(ds) / 255, lightShift = Float(dl) / 255
        let vectorCount = count / 16 * 16
        adjustVectors(rgb, count: vectorCount, hueShift: hueShift, satShift: satShift, lightShift: lightShift)
        let inv255: Float = 1.0 / 255
        var p = rgb + 3 * vectorCount
        for _ in vectorCount..<count {
            let r = Float(p[0]) * inv255, g = Float(p[1]) * inv255, b = Float(p[2]) * inv255
            // Two-argument min/max: the variadic forms allocate an array per call.
            let vmax = Swift.max(Swift.max(r, g), b), vmin = Swift.min(Swift.min(r, g), b)
            let diff = vmax - vmin
            var l = (vmax + vmin) * 0.5
            var h: Float = 0, s: Float = 0
            if diff > 1e-6 {
                s = l < 0.5 ? diff / (vmax + vmin) : diff / (2 - vmax - vmin)
                let k = 60 / diff
                if vmax == r { h = (g - b) * k } else if vmax == g { h = (b - r) * k + 120 } else { h = (r - g) * k + 240 }
                if h < 0 { h += 360 }
            }
            h = Swift.min(Swift.max(h + hueShift, 0), 360)
            l = Swift.min(Swift.max(l + lightShift, 0), 1)
            s = Swift.min(Swift.max(s + satShift, 0), 1)
            // HLS -> RGB: chroma, then the sector of the hue.
            let chroma = (1 - abs(2 * l - 1)) * s
            var hp = h * (1.0 / 60)
            if hp >= 6 { hp -= 6 }
            let sector = Int(hp)
            let frac = hp - Float(sector)
            let x = chroma * ((sector & 1) == 0 ? frac : 1 - frac)
            let m = l - chroma * 0.5
            var rr: Float, gg: Float, bb: Float
            switch sector {
            case 0: (rr, gg, bb) = (chroma, x, 0)
            case 1: (rr, gg, bb) = (x, chroma, 0)
            case 2: (rr, gg, bb) = (0, chroma, x)
            case 3: (rr, gg, bb) = (0, x, chroma)
            case 4: (rr, gg, bb) = (x, 0, chroma)
            default: (rr, gg, bb) = (chroma, 0, x)
            }
            p[0] = UInt8(Swift.min(Swift.max((rr + m) * 255 + 0.5, 0), 255))
            p[1] = UInt8(Swift.min(Swift.max((gg + m) * 255 + 0.5, 0), 255))
            p[2] = UInt8(Swift.min(Swift.max((bb + m) * 255 + 0.5, 0), 255))
            p += 3
        }
    }

    /// The same conversion 16 pixels at a time, without branches (`count` a multiple of 16).
    private static func adjustVectors(_ rgb: UnsafeMutablePointer<UInt8>, count: Int,
                                      hueShift: Float, satShift: Float, lightShift: Float) {
        typealias V = SIMD16<Float>
        let eps = V(repeating: 1e-6), zero = V(repeating: 0), one = V(repeating: 1)
        var p = rgb
        for _ in stride(from: 0, to: count, by: 16) {
            var r = V(), g = V(), b = V()
            for i in 0..<16 {
                r[i] = Float(p[3 * i]); g[i] = Float(p[3 * i + 1]); b[i] = Float(p[3 * i + 2])
            }
            r *= 1.0 / 255; g *= 1.0 / 255; b *= 1.0 / 255
            let vmax = pointwiseMax(pointwiseMax(r, g), b), vmin = pointwiseMin(pointwiseMin(r, g), b)
            let diff = vmax - vmin, sum = vmax + vmin
            var l = sum * 0.5
            let grey = diff .<= eps
            let safeDiff = pointwiseMax(diff, eps)
            let denominator = sum.replacing(with: 2 - sum, where: l .>= 0.5)
            var s = diff / pointwiseMax(denominator, eps)
            let k = 60 / safeDiff
            var h = (r - g) * k + 240
            h.replace(with: (b - r) * k + 120, where: vmax .== g)
            h.replace(with: (g - b) * k, where: vmax .== r)
            h.replace(with: h + 360, where: h .< 0)
            h.replace(with: 0, where: grey)
            s.replace(with: 0, where: grey)
            h = (h + hueShift).clamped(lowerBound: zero, upperBound: V(repeating: 360))
            l = (l + lightShift).clamped(lowerBound: zero, upperBound: one)
            s = (s + satShift).clamped(lowerBound: zero, upperBound: one)
            // HLS -> RGB: f(n) = l - a * max(-1, min(k - 3, 9 - k, 1)), k = (n + h/30) mod 12.
            let a = s * pointwiseMin(l, 1 - l)
            let h30 = h * (1.0 / 30)
            func channel(_ n: Float) -> V {
                var kk = h30 + n
                kk.replace(with: kk - 12, where: kk .>= 12)
                let t = pointwiseMax(V(repeating: -1), pointwiseMin(pointwiseMin(kk - 3, 9 - kk), one))
                return ((l - a * t) * 255 + 0.5).clamped(lowerBound: zero, upperBound: V(repeating: 255))
            }
            let ro = channel(0), go = channel(8), bo = channel(4)
            for i in 0..<16 {
                p[3 * i] = UInt8(ro[i]); p[3 * i + 1] = UInt8(go[i]); p[3 * i + 2] = UInt8(bo[i])
            }
            p += 48
        }
    }
}
