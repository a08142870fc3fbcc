import ImageData

/// Every hyperparameter of SageMaker's Image Classification algorithm (SPEC section 1),
/// typed and validated, with the service's defaults (the fields' initial values).
/// ``HyperparameterTable`` states each one's name, kind and range once.
///
/// Build one with ``parse(_:source:)`` from the SageMaker names and string values
/// (`num_classes`, `mini_batch_size`, ...), which checks everything and reports every
/// problem at once. ``asStrings`` gives them back in the same form, for the artifact's
/// `hyperparameters.json`.
public struct Hyperparameters: Sendable, Codable, Equatable {
    /// Number of output classes (>= 2). Required.
    public var numClasses: Int
    /// Number of training images (>= 1), used for the learning-rate steps. Required.
    public var numTrainingSamples: Int
    /// `crop`, `crop_color` or `crop_color_transform`; nil means no augmentation.
    public var augmentationType: AugmentationType? = nil
    /// Adam's first-moment decay (`beta_1`).
    public var beta1: Double = 0.9
    /// Adam's second-moment decay (`beta_2`).
    public var beta2: Double = 0.999
    /// Save a checkpoint every this many epochs; nil keeps only the best-validation epoch.
    public var checkpointFrequency: Int? = nil
    public var earlyStopping: Bool = false
    public var earlyStoppingMinEpochs: Int = 10
    public var earlyStoppingPatience: Int = 5
    /// `(new - best) / best < tolerance` counts as no improvement.
    public var earlyStoppingTolerance: Double = 0
    public var epochs: Int = 30
    /// Adam's and RMSProp's epsilon.
    public var eps: Double = 1e-8
    /// RMSProp's decay of the squared-gradient average (MXNet's `gamma1`).
    public var gamma: Double = 0.9
    /// `[C, H, W]`, C in {1, 3}.
    public var imageShape: [Int] = [3, 224, 224]
    /// `dist_sync` or `dist_async`; nil for one machine.
    public var kvStore: KVStore? = nil
    public var learningRate: Double = 0.1
    public var lrSchedulerFactor: Double = 0.1
    /// Epochs after which the learning rate is multiplied by ``lrSchedulerFactor``;
    /// positive and increasing, empty when unset.
    public var lrSchedulerStep: [Int] = []
    /// Images per batch on each machine.
    public var miniBatchSize: Int = 32
    public var momentum: Double = 0.9
    public var multiLabel: Bool = false
    public var numLayers: Int = 152
    /// `sgd`, `adam`, `rmsprop` or `nag`.
    public var optimizer: OptimizerName = .sgd
    /// `float32` or `float16` (bf16 mixed precision on CPUs).
    public var precisionDtype: PrecisionDType = .float32
    /// Shorter side after resizing, before cropping; nil when unset.
    public var resize: Int? = nil
    /// Also report top-k accuracy for this k (>= 2); nil when unset.
    public var topK: Int? = nil
    public var usePretrainedModel: Bool = false
    public var useWeightedLoss: Bool = false
    public var weightDecay: Double = 0.0001

    /// The defaults, with the two required values.
    public init(numClasses: Int, numTrainingSamples: Int) {
        self.numClasses = numClasses
        self.numTrainingSamples = numTrainingSamples
    }

    /// Every value under its SageMaker name, as strings, the way a `hyperparameters.json`
    /// holds them. Unset optional values are left out. `parse(asStrings)` gives back `self`.
    public var asStrings: [String: String] {
        var out: [String: String] = [:]
        for descriptor in HyperparameterTable.all {
            if let text = descriptor.text(of: self) { out[descriptor.name] = text }
        }
        return out
    }

    /// Shortest text that reads back as the same Double ("0.1", "1e-08").
    static func format(_ value: Double) -> String { "\(value)" }
}
