/// The limit between hyperparameters that no single range states: one input batch must fit
/// in memory. Each value's own range is in ``HyperparameterTable``.
public enum HyperparameterLimits {
    /// mini_batch_size x C x H x W: one input batch of float32 stays within 8 GiB.
    public static let maxBatchElements = 1 << 31

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
