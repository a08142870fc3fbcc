import Models

/// The valid range of every integer hyperparameter, stated in its error message. The ones
/// that size the network's input and output are ``PreprocessingLimits``' (shared with serving).
public enum HyperparameterLimits {
    public static let numClasses = PreprocessingLimits.numClasses
    public static let resize = PreprocessingLimits.resize
    public static let numTrainingSamples = 1...1_000_000_000_000
    /// Also early_stopping_min_epochs, early_stopping_patience, checkpoint_frequency and
    /// each lr_scheduler_step.
    public static let epochs = 1...1_000_000
    public static let miniBatchSize = 1...65_536
    /// mini_batch_size x C x H x W: one input batch of float32 stays within 8 GiB.
    public static let maxBatchElements = 1 << 31
    public static let topK = 2...PreprocessingLimits.numClasses.upperBound

    /// The elements of one input batch, nil when they exceed ``maxBatchElements`` (or overflow).
    public static func batchElements(miniBatchSize: Int, imageShape: [Int]) -> Int? {
        var total = miniBatchSize
        for d in imageShape {
            let (product, overflow) = total.multipliedReportingOverflow(by: d)
            guard !overflow, product <= maxBatchElements else { return nil }
            total = product
        }
        return total
    }
}
