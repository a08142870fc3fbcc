/// Turns a decoded image into one network input: resize of the shorter side, crop (random or
/// centre), mirror, colour and affine changes per `AugmentParams`, then float32 CHW with raw
/// 0..255 values. Validation and inference use `AugmentParams.none`: resize and centre crop.
///
/// Every random choice comes from the `SampleRNG` passed in, so a result depends only on the
/// seed that made it, never on threads.
public struct Augmenter: Sendable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// Shorter side after resizing, before cropping; nil keeps the decoded size.
    public let resize: Int?
    public let params: AugmentParams

    /// - Parameter imageShape: `[C, H, W]`, C 1 or 3.
    public init(imageShape: [Int], resize: Int?, params: AugmentParams) {
        precondition(imageShape.count == 3 && (imageShape[0] == 1 || imageShape[0] == 3) && imageShape[1] > 0 && imageShape[2] > 0,
                     "image_shape must be C,H,W with C 1 or 3")
        channels = imageShape[0]
        height = imageShape[1]
        width = imageShape[2]
        self.resize = resize
        self.params = params
    }

    /// Floats in one output image.
    public var outputCount: Int { channels * height * width }

    /// Augments `image` (which must have `channels` channels) into `output`, CHW float32.
    public func process(_ image: Image, rng: inout SampleRNG, workspace: AugmentWorkspace,
                        into output: UnsafeMutablePointer<Float>) {
        let plan = sample(image, rng: &rng, workspace: workspace)
        // HWC bytes -> CHW floats: one plane per channel.
        let plane = height * width
        let src = workspace.pixels
        if channels == 3 {
            let r = output, g = output + plane, b = output + 2 * plane
            for i in 0..<plane {
                r[i] = Float(src[3 * i]); g[i] = Float(src[3 * i + 1]); b[i] = Float(src[3 * i + 2])
            }
            if plan.dh != 0 || plan.ds != 0 || plan.dl != 0 {
                HLSColor.adjustPlanes(r: r, g: g, b: b, count: plane, hue: plan.dh, saturation: plan.ds, lightness: plan.dl)
            }
        } else {
            for i in 0..<plane { output[i] = Float(src[i]) }
        }
    }

    /// Augments `image` and returns the result as an 8-bit image (HWC), for tests and tools.
    public func apply(_ image: Image, rng: inout SampleRNG) -> Image {
        let ws = AugmentWorkspace(width: width, height: height, channels: channels)
        let planes = UnsafeMutablePointer<Float>.allocate(capacity: outputCount)
        defer { planes.deallocate() }
        process(image, rng: &rng, workspace: ws, into: planes)
        let plane = height * width
        var pixels = [UInt8](repeating: 0, count: outputCount)
        for i in 0..<plane {
            for c in 0..<channels { pixels[i * channels + c] = UInt8(planes[c * plane + i]) }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Samples the output window into the workspace (HWC bytes); returns the plan drawn.
    private func sample(_ image: Image, rng: inout SampleRNG, workspace ws: AugmentWorkspace) -> AugmentPlan {
        precondition(image.channels == channels, "decode images with \(channels) channel(s) for this augmenter")
        precondition(ws.pixelCount >= outputCount && ws.width >= width, "workspace too small")
        let plan = AugmentPlan.draw(width: image.width, height: image.height, cropWidth: width, cropHeight: height,
                                    resize: resize, params: params, rng: &rng)
        image.pixels.withUnsafeBufferPointer { src in
            if plan.map.isAxisAligned {
                BilinearSampler.sampleSeparable(src: src.baseAddress!, width: image.width, height: image.height,
                                                channels: channels, map: plan.map, dst: ws.pixels,
                                                outWidth: width, outHeight: height, workspace: ws)
            } else {
                BilinearSampler.sampleAffine(src: src.baseAddress!, width: image.width, height: image.height,
                                             channels: channels, map: plan.map, fill: params.fillValue,
                                             dst: ws.pixels, outWidth: width, outHeight: height)
            }
        }
        return plan
    }
}
