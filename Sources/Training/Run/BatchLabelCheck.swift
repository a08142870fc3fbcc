import ImageData

/// Labels as the loss and the metric read them, judged by the data's label rule
/// (``LabelCheck``): a class index in [0, classes), or a multi-hot row of 0s and 1s. Every
/// channel's labels are checked where they are read; this guard keeps a label that slipped
/// through (e.g. from a Pipe-mode stream) from indexing out of bounds in the loss or the metric.
enum BatchLabelCheck {
    /// Throws on the first bad label of `rows` rows of `labels`, naming the channel and sample.
    static func check(_ labels: UnsafeBufferPointer<Float>, rows: Int, classes: Int, multiLabel: Bool,
                      channel: String, sampleIndices: [Int]) throws {
        let width = multiLabel ? classes : 1
        for row in 0..<min(rows, labels.count / max(width, 1)) {
            for column in 0..<width {
                if let problem = LabelCheck.valueProblem(labels[row * width + column], numClasses: classes, multiLabel: multiLabel) {
                    let sample = row < sampleIndices.count ? "sample \(sampleIndices[row])" : "row \(row) of a batch"
                    let position = multiLabel ? " (class \(column))" : ""
                    throw TrainingError.badLabel("the \(channel) channel's \(sample)\(position): \(problem)")
                }
            }
        }
    }
}
