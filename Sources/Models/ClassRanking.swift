/// How classes are ranked wherever a prediction is reported or scored (`predict`, `serve`,
/// `evaluate`, and the training log's top-k accuracy): by probability, highest first, and
/// among equal probabilities the lower class index first. Exactly `k` classes make a top-k,
/// as in MXNet's `TopKAccuracy` (which takes `k` columns of `argpartition`), so a model that
/// outputs equal probabilities scores k/classes, not 1.
public enum ClassRanking {
    /// Whether `a` ranks above `b`. A NaN (a diverged model) ranks below every number, so
    /// the order stays a strict weak ordering and a NaN is never a hit.
    @inline(__always)
    static func ranksAbove(_ pa: Float, _ a: Int, _ pb: Float, _ b: Int) -> Bool {
        let x = pa.isNaN ? -Float.infinity : pa, y = pb.isNaN ? -Float.infinity : pb
        return x != y ? x > y : a < b
    }

    /// The `k` best classes of one row, best first.
    public static func top(_ probabilities: some Collection<Float>, k: Int) -> [(index: Int, probability: Float)] {
        let ranked = probabilities.enumerated().sorted { ranksAbove($0.element, $0.offset, $1.element, $1.offset) }
        return ranked.prefix(max(0, k)).map { (index: $0.offset, probability: $0.element) }
    }

    /// The rank (0 = best) of class `label` in one row, without sorting it.
    public static func rank(of label: Int, in row: UnsafeBufferPointer<Float>) -> Int {
        let target = row[label]
        var above = 0
        for c in 0..<row.count where c != label && ranksAbove(row[c], c, target, label) { above += 1 }
        return above
    }
}
