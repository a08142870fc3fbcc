/// How an image becomes the network's input, as training did it: the one record training
/// writes into the artifact (`preprocessing-contract.json`) and the endpoint follows, so the
/// endpoint gives images like validation's the input validation gave them.
///
/// Artifacts without it (the service's, MXNet's) get one derived from the files they do
/// have, in one place: ``init(hyperparameters:imageShape:sigmoidHead:)``.
public struct PreprocessingContract: Codable, Sendable, Equatable {
    /// [C, H, W] of the network's input.
    public var imageShape: [Int]
    /// Training's `resize`: the shorter side before the centre crop; nil when unset.
    public var resize: Int?
    /// Without `resize`: the shorter side every validation image had (validation cropped
    /// them unresized); nil when they varied or `resize` was set.
    public var validationShorterSide: Int?
    public var numClasses: Int?
    /// Independent per-class probabilities (sigmoid head) rather than a softmax.
    public var multiLabel: Bool

    public init(imageShape: [Int], resize: Int? = nil, validationShorterSide: Int? = nil, numClasses: Int? = nil,
                multiLabel: Bool = false) {
        self.imageShape = imageShape
        self.resize = resize
        self.validationShorterSide = validationShorterSide
        self.numClasses = numClasses
        self.multiLabel = multiLabel
    }

    /// C of ``imageShape``: the channels an image is decoded to.
    public var channels: Int { imageShape[0] }

    /// The shorter side the endpoint resizes an image to before the centre crop: training's
    /// `resize`; else the one shorter side validation's images had (so it reproduces
    /// validation on images like them); else H, as the service's endpoint does.
    public var endpointResize: Int { resize ?? validationShorterSide ?? imageShape[1] }

    /// The contract of an artifact that has none recorded, from its `hyperparameters.json`
    /// (the service's strings), `model-shapes.json`'s shape and the network's head; nil when
    /// no image shape is known. Values are read as the service's endpoint reads them: a
    /// `resize` that is not a positive integer is unset.
    public init?(hyperparameters: [String: String], imageShape: [Int]?, sigmoidHead: Bool) {
        guard let shape = imageShape ?? hyperparameters["image_shape"].flatMap(ImageShape.parse) else { return nil }
        self.init(imageShape: shape,
                  resize: hyperparameters["resize"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil },
                  numClasses: hyperparameters["num_classes"].flatMap { Int($0) },
                  multiLabel: sigmoidHead || hyperparameters["multi_label"] == "1")
    }

    // MARK: - The file

    enum CodingKeys: String, CodingKey {
        case imageShape = "image_shape", resize, validationShorterSide = "validation_shorter_side"
        case channels, numClasses = "num_classes", multiLabel = "multi_label"
    }

    /// Reads the file, refusing values outside training's ranges (``PreprocessingLimits``).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        imageShape = try c.decode([Int].self, forKey: .imageShape)
        resize = try c.decodeIfPresent(Int.self, forKey: .resize)
        validationShorterSide = try c.decodeIfPresent(Int.self, forKey: .validationShorterSide)
        numClasses = try c.decodeIfPresent(Int.self, forKey: .numClasses)
        multiLabel = try c.decode(Bool.self, forKey: .multiLabel)
        let channels = try c.decodeIfPresent(Int.self, forKey: .channels)
        guard PreprocessingLimits.isValid(imageShape: imageShape), channels.map({ $0 == imageShape[0] }) ?? true,
              [resize, validationShorterSide].allSatisfy({ $0.map(PreprocessingLimits.resize.contains) ?? true }),
              numClasses.map(PreprocessingLimits.numClasses.contains) ?? true else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a value is out of range"))
        }
    }

    /// Writes the channel count too, for readers that do not split the shape.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(imageShape, forKey: .imageShape)
        try c.encode(channels, forKey: .channels)
        try c.encodeIfPresent(resize, forKey: .resize)
        try c.encodeIfPresent(validationShorterSide, forKey: .validationShorterSide)
        try c.encodeIfPresent(numClasses, forKey: .numClasses)
        try c.encode(multiLabel, forKey: .multiLabel)
    }

    /// What a valid file holds, for error messages.
    static let expected = "{\"image_shape\": [C, H, W], \"multi_label\": BOOL, \"resize\"?, \"validation_shorter_side\"?, \"num_classes\"?} with "
        + PreprocessingLimits.imageShapeRange + ", sides " + PreprocessingLimits.resizeRange + ", num_classes " + PreprocessingLimits.numClassesRange
}
