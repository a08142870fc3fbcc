/// The label rule: checks label values against a `LabelSpec`; shared by `.lst`, manifest and
/// RecordIO reading, and by training's check of each batch and its accuracy metric.
public enum LabelCheck {
    /// Class indices must stay below 2^24: the largest range in which a float32 label (how
    /// batches and `.rec` headers hold labels) is exact.
    static let classIndexLimit = 1 << 24

    /// A message when `value` is not a valid class index (a whole number in range).
    static func classIndexProblem(_ value: Double, numClasses: Int?) -> String? {
        let range = validRange(numClasses)
        guard value.isFinite else {
            return "label \(describe(value)) is not a finite number: class labels must be whole numbers in \(range)"
        }
        guard value == value.rounded() else {
            return "label \(describe(value)) is not an integer class index: class labels must be whole numbers in \(range)"
        }
        if value < 0 { return "label \(describe(value)) is negative: class labels must be in \(range)" }
        if let n = numClasses, value >= Double(n) {
            return "label \(describe(value)) is out of range: num_classes is \(n), so labels must be in \(range)"
        }
        if value >= Double(classIndexLimit) {
            return "label \(describe(value)) is out of range: class labels must be in \(range)"
        }
        return nil
    }

    static func classIndexProblem(_ value: Float, numClasses: Int?) -> String? {
        classIndexProblem(Double(value), numClasses: numClasses)
    }

    /// A message when one label value as a batch holds it does not fit: a class index in
    /// `[0, numClasses)` for single-label, 0 or 1 in a multi-hot row for multi-label.
    public static func valueProblem(_ value: Float, numClasses: Int, multiLabel: Bool) -> String? {
        multiLabel ? multiHotValueProblem(value) : classIndexProblem(value, numClasses: numClasses)
    }

    /// A message when one value of a multi-hot vector is not 0 or 1.
    static func multiHotValueProblem(_ value: Float) -> String? {
        value == 0 || value == 1 ? nil : "multi-hot label value \(describe(Double(value))) is not 0 or 1"
    }

    /// A message when `values` is not a multi-hot vector of the right length.
    static func multiHotProblem(_ values: [Float], numClasses: Int?) -> String? {
        if let n = numClasses, values.count != n {
            return "multi-hot label has \(values.count) values but num_classes is \(n)"
        }
        return values.lazy.compactMap(multiHotValueProblem).first
    }

    /// A multi-hot vector as MXNet reads a list: any finite value above 1 is a positive label
    /// (MXNet does not check multi-hot values, and the service's multi-label example writes a
    /// 2 into its `.lst`), so it becomes 1. Nil when nothing changed; zero, negative, fractional
    /// and non-finite values are left for `multiHotProblem` to refuse.
    static func multiHotAboveOneAsPositive(_ values: [Float]) -> [Float]? {
        guard values.contains(where: { $0.isFinite && $0 > 1 }) else { return nil }
        return values.map { $0.isFinite && $0 > 1 ? 1 : $0 }
    }

    /// A message when a record's labels (a `.rec` header's, file or pipe mode) do not fit `spec`.
    static func recordProblem(_ values: [Float], spec: LabelSpec) -> String? {
        if spec.multiLabel { return multiHotProblem(values, numClasses: spec.numClasses) }
        guard values.count == 1 else { return "record has \(values.count) labels but multi_label is 0" }
        return classIndexProblem(values[0], numClasses: spec.numClasses)
    }

    /// Parses a label written as text: a whole decimal number ("2.000000", "1", "1e0").
    static func parse(_ text: Substring) -> Result<Double, InputProblem> {
        DecimalLabel.parse(text)
    }

    /// The valid class range as text, `[0, n)`.
    static func validRange(_ numClasses: Int?) -> String {
        "[0, \(min(numClasses ?? classIndexLimit, classIndexLimit)))"
    }

    /// A label as a user would write it: whole numbers without a fraction, others as Swift prints them.
    static func describe(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
