/// The `augmentation_type` hyperparameter: how much random augmentation training applies.
public enum AugmentationType: String, Sendable, CaseIterable {
    /// Random crop and a 50% horizontal mirror.
    case crop
    /// `crop` plus random hue, saturation and lightness offsets.
    case cropColor = "crop_color"
    /// `crop_color` plus random rotation, shear and aspect-ratio change.
    case cropColorTransform = "crop_color_transform"
}

/// The knobs of MXNet's default augmenter that SageMaker's algorithm sets.
public struct AugmentParams: Sendable, Equatable {
    /// Random crop offset (else the centre).
    public var randomCrop = false
    /// Mirror horizontally with probability 1/2.
    public var randomMirror = false
    /// Largest hue offset on OpenCV's 0..180 scale.
    public var randomH = 0
    /// Largest saturation offset on a 0..255 scale.
    public var randomS = 0
    /// Largest lightness offset on a 0..255 scale.
    public var randomL = 0
    /// Largest rotation in whole degrees.
    public var maxRotateAngle = 0
    /// Largest shear ratio.
    public var maxShearRatio: Float = 0
    /// Largest aspect-ratio change.
    public var maxAspectRatio: Float = 0
    /// Value of pixels a rotation or shear brings in from outside the image (MXNet's default).
    public var fillValue: UInt8 = 255

    public init() {}

    /// Validation and inference: centre crop, nothing random.
    public static let none = AugmentParams()

    /// SageMaker's settings for each `augmentation_type`; `nil` means no augmentation.
    public static func training(_ type: AugmentationType?) -> AugmentParams {
        var p = AugmentParams()
        guard let type else { return p }
        p.randomCrop = true
        p.randomMirror = true
        if type == .cropColor || type == .cropColorTransform {
            p.randomH = 36; p.randomS = 50; p.randomL = 50
        }
        if type == .cropColorTransform {
            p.maxRotateAngle = 10; p.maxShearRatio = 0.1; p.maxAspectRatio = 0.25
        }
        return p
    }

    var hasColor: Bool { randomH != 0 || randomS != 0 || randomL != 0 }
    var hasAffine: Bool { maxRotateAngle > 0 || maxShearRatio > 0 || maxAspectRatio != 0 }
}
