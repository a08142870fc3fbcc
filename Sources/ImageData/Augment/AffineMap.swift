/// A 2-D affine map `(x, y) -> (a*x + b*y + c, d*x + e*y + f)`, used to carry an output
/// pixel back through mirror, crop, fit-scaling, rotation/shear and resize to the source.
struct AffineMap: Equatable {
    var a = 1.0, b = 0.0, c = 0.0
    var d = 0.0, e = 1.0, f = 0.0

    static let identity = AffineMap()

    /// `self` after `inner`: first `inner`, then `self`.
    func after(_ inner: AffineMap) -> AffineMap {
        AffineMap(a: a * inner.a + b * inner.d, b: a * inner.b + b * inner.e, c: a * inner.c + b * inner.f + c,
                  d: d * inner.a + e * inner.d, e: d * inner.b + e * inner.e, f: d * inner.c + e * inner.f + f)
    }

    var inverse: AffineMap {
        let det = a * e - b * d
        let ia = e / det, ib = -b / det, id = -d / det, ie = a / det
        return AffineMap(a: ia, b: ib, c: -(ia * c + ib * f), d: id, e: ie, f: -(id * c + ie * f))
    }

    /// Pixel-centre mapping of a resize from `to` pixels back to `from` pixels (OpenCV's
    /// `src = (dst + 0.5) * from / to - 0.5`), per axis.
    static func resize(fromWidth: Int, fromHeight: Int, toWidth: Int, toHeight: Int) -> AffineMap {
        let kx = Double(fromWidth) / Double(toWidth), ky = Double(fromHeight) / Double(toHeight)
        return AffineMap(a: kx, b: 0, c: 0.5 * kx - 0.5, d: 0, e: ky, f: 0.5 * ky - 0.5)
    }

    var isAxisAligned: Bool { b == 0 && d == 0 }
}

/// Where every output pixel of one sample comes from, and its colour offsets: all the
/// random choices for one sample, drawn up front.
struct AugmentPlan {
    /// Output pixel -> source pixel coordinates.
    var map: AffineMap
    /// HLS offsets (hue on 0..180, lightness and saturation on 0..255).
    var dh = 0, dl = 0, ds = 0
    var mirrored = false

    /// Draws one sample's geometry, following MXNet's default augmenter: resize of the
    /// shorter side, then rotation/shear/aspect about the centre, then the crop (an image
    /// smaller than the crop is scaled up to fit first), then the mirror. The steps are
    /// composed into one map, so the pixels are interpolated once, and only the crop's.
    static func draw(width w: Int, height h: Int, cropWidth cw: Int, cropHeight ch: Int,
                     resize: Int?, params p: AugmentParams, rng: inout SampleRNG) -> AugmentPlan {
        // 1. Resize: the shorter side becomes `resize` (integer arithmetic as MXNet does).
        var rw = w, rh = h
        if let r = resize {
            if h > w { rw = r; rh = max(1, r * h / w) } else { rh = r; rw = max(1, r * w / h) }
        }
        var toSource = AffineMap.resize(fromWidth: w, fromHeight: h, toWidth: rw, toHeight: rh)

        // 2. Rotation, shear, aspect: MXNet's matrix maps resized -> warped, same size.
        if p.hasAffine {
            let shear = rng.uniform() * Double(p.maxShearRatio) * 2 - Double(p.maxShearRatio)
            let angle = rng.int(in: -p.maxRotateAngle...p.maxRotateAngle)
            _ = rng.uniform()  // MXNet draws a random scale here; its range is [1, 1] for us.
            let ratio = rng.uniform() * Double(p.maxAspectRatio) * 2 - Double(p.maxAspectRatio) + 1
            let ca = cos(Double(angle) / 180 * .pi), sa = sin(Double(angle) / 180 * .pi)
            let hs = 2 / (1 + ratio), ws = ratio * hs
            var m = AffineMap(a: hs * ca - shear * sa * ws, b: hs * sa + shear * ca * ws, c: 0,
                              d: -sa * ws, e: ca * ws, f: 0)
            let centreX = m.a * Double(rw) + m.b * Double(rh)
            let centreY = m.d * Double(rw) + m.e * Double(rh)
            m.c = (Double(rw) - centreX) / 2
            m.f = (Double(rh) - centreY) / 2
            toSource = toSource.after(m.inverse)
        }

        // 3. Scale up to fit when smaller than the crop, then choose the crop window.
        var fw = rw, fh = rh
        if rw < cw || rh < ch {
            let u = max(Double(cw) / Double(rw), Double(ch) / Double(rh))
            fw = max(cw, Int((Double(rw) * u).rounded(.up)))
            fh = max(ch, Int((Double(rh) * u).rounded(.up)))
            toSource = toSource.after(.resize(fromWidth: rw, fromHeight: rh, toWidth: fw, toHeight: fh))
        }
        var x0 = (fw - cw) / 2, y0 = (fh - ch) / 2
        if p.randomCrop {
            y0 = rng.int(in: 0...(fh - ch))
            x0 = rng.int(in: 0...(fw - cw))
        }
        var plan = AugmentPlan(map: .identity)
        if p.hasColor {
            plan.dh = Int(rng.uniform() * Double(p.randomH) * 2 - Double(p.randomH))
            plan.ds = Int(rng.uniform() * Double(p.randomS) * 2 - Double(p.randomS))
            plan.dl = Int(rng.uniform() * Double(p.randomL) * 2 - Double(p.randomL))
        }
        plan.mirrored = p.randomMirror && rng.uniform() < 0.5
        // 4. Output pixel -> crop window (mirrored if chosen).
        let window = plan.mirrored
            ? AffineMap(a: -1, b: 0, c: Double(x0 + cw - 1), d: 0, e: 1, f: Double(y0))
            : AffineMap(a: 1, b: 0, c: Double(x0), d: 0, e: 1, f: Double(y0))
        plan.map = toSource.after(window)
        return plan
    }
}

import Foundation
