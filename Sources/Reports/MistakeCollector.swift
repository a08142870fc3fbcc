/// The validation images a single-label model got most confidently wrong: kept while an
/// evaluation runs, as indices and probabilities only (their thumbnails are made after).
struct MistakeCollector {
    struct Entry {
        var index: Int
        var truth: Int
        var confidence: Float
        var probabilities: [Float]
    }

    let capacity: Int
    /// Most confident first; at most `capacity`.
    private(set) var entries: [Entry] = []

    init(capacity: Int) { self.capacity = max(0, capacity) }

    mutating func observe(index: Int, probabilities p: [Float], labels: [Float]) {
        guard capacity > 0, let label = labels.first, label.isFinite, label >= 0, label < Float(p.count) else { return }
        let truth = Int(label)
        guard let (top, confidence) = p.enumerated().max(by: { $0.element < $1.element }).map({ ($0.offset, $0.element) }),
              top != truth, confidence.isFinite else { return }
        if entries.count == capacity, let last = entries.last, last.confidence >= confidence { return }
        let at = entries.firstIndex { $0.confidence < confidence } ?? entries.count
        entries.insert(Entry(index: index, truth: truth, confidence: confidence, probabilities: p), at: at)
        if entries.count > capacity { entries.removeLast() }
    }
}
