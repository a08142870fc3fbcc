/// Labels as the loss and the metric read them: a class index in 0..<classes, or a multi-hot
/// row of 0s and 1s. Every channel's labels are checked where they are read; this guard
/// keeps a label that slipped through (e.g. from a Pipe-mode stream) from indexing out of
/// bounds in the loss or the metric.
enum BatchLabelCheck {
    /// Throws on the first bad label of `rows` rows of `labels`, naming the channel and sample.
    static func check(_ labels: UnsafeBufferPointer<Float>, rows: Int, classes: Int, multiLabel: Bool,
                      channel: String, sampleIndices: [Int]) throws {
        let width = multiLabel ? classes : 1
        for row in 0..<min(rows, labels.count / max(width, 1)) {
            for column in 0..<width {
                let value = labels[row * width + column]
                if let problem = problem(value, classes: classes, multiLabel: multiLabel) {
                    let sample = row < sampleIndices.count ? "sample \(sampleIndices[row])" : "row \(row) of a batch"
                    let position = multiLabel ? " (class \(column))" : ""
                    throw TrainingError.badLabel("the \(channel) channel's \(sample) has label \(value)\(position); \(problem)")
                }
            }
        }
    }

    /// What is wrong with one label value, or nil.
    static func problem(_ value: Float, classes: Int, multiLabel: Bool) -> String? {
        if multiLabel { return value == 0 || value == 1 ? nil : "expected 0 or 1 in a multi-hot label" }
        guard value.isFinite, value >= 0, value < Float(classes), value == value.rounded(.towardZero) else {
            return "expected a class index in 0...\(classes - 1)"
        }
        return nil
    }
}
