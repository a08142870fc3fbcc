import ImageData
import Models

/// Every hyperparameter of SageMaker's Image Classification algorithm, each stated once:
/// name, field, kind of value, range or choices. Parsing, `asStrings`, the list of known
/// names and the README's table all read it; defaults are the fields' own initial values
/// in ``Hyperparameters``. The order is the names' alphabetical order, which error
/// messages list problems in.
public enum HyperparameterTable {
    /// The range of every count of epochs: `epochs`, `early_stopping_min_epochs`,
    /// `early_stopping_patience`, `checkpoint_frequency` and each `lr_scheduler_step`.
    static let epochs = 1...1_000_000

    /// Every hyperparameter, in name order. Computed: key paths are not Sendable, so the
    /// table cannot be a stored static.
    public static var all: [HyperparameterDescriptor] {
        [
            .init("augmentation_type", .choice(.optional(\.augmentationType)), unset: "no augmentation"),
            .init("beta_1", .unitNumber(\.beta1)),
            .init("beta_2", .unitNumber(\.beta2)),
            .init("checkpoint_frequency", .optionalInteger(\.checkpointFrequency, epochs),
                  rule: "at most epochs", unset: "only the best-validation epoch is kept"),
            .init("early_stopping", .trueFalse(\.earlyStopping)),
            .init("early_stopping_min_epochs", .integer(\.earlyStoppingMinEpochs, epochs)),
            .init("early_stopping_patience", .integer(\.earlyStoppingPatience, epochs)),
            .init("early_stopping_tolerance", .unitNumber(\.earlyStoppingTolerance)),
            .init("epochs", .integer(\.epochs, epochs)),
            .init("eps", .unitNumber(\.eps)),
            .init("gamma", .unitNumber(\.gamma)),
            .init("image_shape", .imageShape(\.imageShape)),
            .init("kv_store", .choice(.optional(\.kvStore)), unset: "one machine"),
            .init("learning_rate", .unitNumber(\.learningRate)),
            .init("lr_scheduler_factor", .unitNumber(\.lrSchedulerFactor)),
            .init("lr_scheduler_step", .epochList(\.lrSchedulerStep, epochs), unset: "the learning rate never changes"),
            .init("mini_batch_size", .integer(\.miniBatchSize, 1...65_536),
                  rule: "mini_batch_size x C x H x W at most \(HyperparameterLimits.maxBatchElements)"),
            .init("momentum", .unitNumber(\.momentum)),
            .init("multi_label", .zeroOne(\.multiLabel)),
            .init("num_classes", .requiredInteger(\.numClasses, PreprocessingLimits.numClasses)),
            .init("num_layers", .integer(\.numLayers, 1...Int.max),
                  rule: "a depth MXNet's ResNet builds for the image height, for > 28: \(ResNet.validNumLayers(height: 224)); "
                      + "for <= 28: \(ResNet.validNumLayers(height: 28))"),
            .init("num_training_samples", .requiredInteger(\.numTrainingSamples, 1...1_000_000_000_000)),
            // MXNet's optimizer registry lowercases names, so `SGD` and `Adam` work there.
            .init("optimizer", .choice(.one(of: \.optimizer, caseInsensitive: true))),
            .init("precision_dtype", .choice(.one(of: \.precisionDtype))),
            .init("resize", .optionalInteger(\.resize, PreprocessingLimits.resize), unset: "images are not resized before cropping"),
            .init("top_k", .optionalInteger(\.topK, 2...PreprocessingLimits.numClasses.upperBound),
                  rule: "at most num_classes", unset: "top-1 accuracy only"),
            .init("use_pretrained_model", .zeroOne(\.usePretrainedModel)),
            .init("use_weighted_loss", .zeroOne(\.useWeightedLoss)),
            .init("weight_decay", .unitNumber(\.weightDecay)),
        ]
    }

    /// The README's table of hyperparameters: name, valid values and default, one row each.
    public static func markdown() -> String {
        var lines = ["| hyperparameter | valid values | default |", "|---|---|---|"]
        for descriptor in all {
            let defaultCell = descriptor.isRequired ? "required"
                : descriptor.defaultText.map { "`\($0)`" } ?? "unset" + (descriptor.unsetMeaning.map { ": \($0)" } ?? "")
            lines.append("| `\(descriptor.name)` | \(descriptor.validValues) | \(defaultCell) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
