/// Checks label values against a `LabelSpec`; shared by `.lst` and manifest parsing.
enum LabelCheck {
    /// A message when `value` is not a valid class index (integer-valued, in range).
    static func classIndexProblem(_ value: Float, numClasses: Int?) -> String? {
        guard value.isFinite, value == value.rounded() else {
            return "label \(value) is not an integer class index"
        }
        if value < 0 { return "label \(Int(value)) is negative; class indices start at 0" }
        if let n = numClasses, Int(value) >= n {
            return "label \(Int(value)) is out of range: num_classes is \(n), so labels must be in [0, \(n - 1)]"
        }
        return nil
    }

    /// A message when `values` is not a multi-hot vector of the right length.
    static func multiHotProblem(_ values: [Float], numClasses: Int?) -> String? {
        if let n = numClasses, values.count != n {
            return "multi-hot label has \(values.count) values but num_classes is \(n)"
        }
        if let bad = values.first(where: { $0 != 0 && $0 != 1 }) {
            return "multi-hot label value \(bad) is not 0 or 1"
        }
        return nil
    }

    /// Parses a float written as text ("2.000000", "1", "1e0"); nil when it is not a number.
    static func parse(_ text: Substring) -> Float? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, let v = Float(trimmed), v.isFinite else { return nil }
        return v
    }
}

import Foundation
