import ArgumentParser

/// Refuses an option value outside its stated range, naming the option, the range and the
/// value, so no huge number reaches an allocation or a multiplication.
func requireRange(_ value: Int, _ range: ClosedRange<Int>, option: String) throws {
    guard range.contains(value) else {
        throw ValidationError("\(option) must be from \(range.lowerBound) to \(range.upperBound); got \(value)")
    }
}
