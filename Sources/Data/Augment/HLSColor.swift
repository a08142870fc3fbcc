/// Random colour offsets in HLS space, as MXNet's augmenter applies them with OpenCV
/// (hue on 0..180, lightness and saturation on 0..255, each clamped, never wrapped).
/// Unlike OpenCV's 8-bit round trip, the HLS values stay continuous, so zero offsets leave
/// pixels unchanged.
public enum HLSColor {
    /// Adds the offsets to `count` interleaved RGB pixels in place.
    public static func adjust(_ rgb: UnsafeMutablePointer<UInt8>, count: Int, hue dh: Int, saturation ds: Int, lightness dl: Int) {
        let hueShift = Float(dh) * 2            // 0..180 scale -> degrees
        let satShift = Float(ds) / 255, lightShift = Float(dl) / 255
        var p = rgb
        for _ in 0..<count {
            let r = Float(p[0]) / 255, g = Float(p[1]) / 255, b = Float(p[2]) / 255
            let vmax = max(r, g, b), vmin = min(r, g, b)
            let diff = vmax - vmin
            var l = (vmax + vmin) / 2
            var h: Float = 0, s: Float = 0
            if diff > Float.ulpOfOne {
                s = l < 0.5 ? diff / (vmax + vmin) : diff / (2 - vmax - vmin)
                if vmax == r { h = 60 * (g - b) / diff } else if vmax == g { h = 60 * (b - r) / diff + 120 } else { h = 60 * (r - g) / diff + 240 }
                if h < 0 { h += 360 }
            }
            h = min(max(h + hueShift, 0), 360)
            l = min(max(l + lightShift, 0), 1)
            s = min(max(s + satShift, 0), 1)
            // HLS -> RGB: chroma, then the sector of the hue.
            let chroma = (1 - abs(2 * l - 1)) * s
            var hp = h / 60
            if hp >= 6 { hp -= 6 }
            let x = chroma * (1 - abs(hp.truncatingRemainder(dividingBy: 2) - 1))
            let m = l - chroma / 2
            var rr: Float, gg: Float, bb: Float
            switch Int(hp) {
            case 0: (rr, gg, bb) = (chroma, x, 0)
            case 1: (rr, gg, bb) = (x, chroma, 0)
            case 2: (rr, gg, bb) = (0, chroma, x)
            case 3: (rr, gg, bb) = (0, x, chroma)
            case 4: (rr, gg, bb) = (x, 0, chroma)
            default: (rr, gg, bb) = (chroma, 0, x)
            }
            p[0] = UInt8(min(max((rr + m) * 255 + 0.5, 0), 255))
            p[1] = UInt8(min(max((gg + m) * 255 + 0.5, 0), 255))
            p[2] = UInt8(min(max((bb + m) * 255 + 0.5, 0), 255))
            p += 3
        }
    }
}
