import ImageData
import Models

/// Turns encoded image bytes into one network input (float32 CHW, raw 0..255 values) the way
/// training's validation pass does, so the endpoint reproduces validation accuracy:
///
/// - an image that already is image_shape's size (and channel count after decoding) goes to
///   the network unchanged;
/// - any other is resized (shorter side to `resize`) and centre-cropped by the training
///   `Augmenter` with `AugmentParams.none`, the very code validation uses, at the model's
///   ``PreprocessingContract/endpointResize``: training's `resize`, else the shorter side
///   validation's images had, else H.
public struct Preprocessor: Sendable {
    /// [C, H, W].
    public let imageShape: [Int]
    /// Shorter side before the centre crop (nil: crop the full-size image).
    public let resize: Int?
    /// Largest width x height accepted, checked from the header before any pixel is decoded.
    public let maxPixels: Int
    let augmenter: Augmenter

    public init(imageShape: [Int], resize: Int?, maxPixels: Int) {
        self.imageShape = imageShape
        self.resize = resize
        self.maxPixels = maxPixels
        augmenter = Augmenter(imageShape: imageShape, resize: self.resize, params: .none)
    }

    /// The preprocessing a model's contract asks for.
    public init(contract: PreprocessingContract, maxPixels: Int) {
        self.init(imageShape: contract.imageShape, resize: contract.endpointResize, maxPixels: maxPixels)
    }

    public var channels: Int { imageShape[0] }
    /// Floats in one preprocessed image.
    public var outputCount: Int { imageShape[0] * imageShape[1] * imageShape[2] }

    /// A workspace sized for this preprocessor; one per thread.
    public func makeWorkspace() -> AugmentWorkspace {
        AugmentWorkspace(width: imageShape[2], height: imageShape[1], channels: imageShape[0])
    }

    /// Checks the header only: format, pixel count and sides (upright), with the decoder's own
    /// limits, so what passes here decodes. Cheap enough for a request handler.
    public func checkHeader(_ bytes: [UInt8]) throws(ImageInputError) {
        do {
            let header = try ImageDecoder.header(bytes)
            try ImageDecoder.checkSize(width: header.width, height: header.height, options: decodeOptions)
        } catch { throw ImageInputError(error) }
    }

    var decodeOptions: DecodeOptions { DecodeOptions(channels: channels, maxPixels: maxPixels) }

    /// Decodes `bytes` and writes `outputCount` floats (CHW) to `output`.
    public func prepare(_ bytes: [UInt8], workspace: AugmentWorkspace,
                        into output: UnsafeMutablePointer<Float>) throws(ImageInputError) {
        try checkHeader(bytes)
        let image: Image
        do { image = try ImageDecoder.decode(bytes, options: decodeOptions) }
        catch { throw ImageInputError(error) }
        prepare(image, workspace: workspace, into: output)
    }

    /// Writes a decoded image (with `channels` channels) as one network input.
    public func prepare(_ image: Image, workspace: AugmentWorkspace, into output: UnsafeMutablePointer<Float>) {
        if image.width == imageShape[2] && image.height == imageShape[1] {
            // Exact size: no resampling at all, so the network sees the file's pixels.
            let plane = image.width * image.height, c = channels
            image.pixels.withUnsafeBufferPointer { src in
                for k in 0..<c {
                    let dst = output + k * plane
                    for i in 0..<plane { dst[i] = Float(src[i * c + k]) }
                }
            }
        } else {
            var rng = SampleRNG(seed: 0)  // unused: validation draws nothing at random
            augmenter.process(image, rng: &rng, workspace: workspace, into: output)
        }
    }
}
