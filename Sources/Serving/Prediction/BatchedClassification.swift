/// What became of one image classified in a batch: its probabilities, or why there are none
/// (it could not be read, decoded, or classified).
public enum ClassificationOutcome: Sendable, Equatable {
    case classified([Float])
    case failed(String)
}

extension Predictor {
    /// The read-then-predict loop `predict`, `transform` and `evaluate` share: reads items
    /// `0..<count` a batch of `maxBatch` at a time, classifies each batch in one pass, and
    /// hands every item's outcome to `deliver` in order. An item `read` throws for is
    /// delivered as failed with the error's text; the others in its batch go on.
    public func classifyInBatches<E: Error>(count: Int, read: (Int) throws -> [UInt8],
                                            deliver: (Int, ClassificationOutcome) throws(E) -> Void,
                                            progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws(E) {
        let step = max(1, options.maxBatch)
        var start = 0
        while start < count {
            let indices = start..<min(count, start + step)
            var images: [[UInt8]] = [], readFailures: [Int: String] = [:]
            for i in indices {
                do { images.append(try read(i)) } catch {
                    readFailures[i] = "\(error)"
                    images.append([])
                }
            }
            for (offset, result) in predict(images).enumerated() {
                let i = indices.lowerBound + offset
                if let message = readFailures[i] {
                    try deliver(i, .failed(message))
                    continue
                }
                switch result {
                case .success(let p): try deliver(i, .classified(p))
                case .failure(let e): try deliver(i, .failed(e.description))
                }
            }
            start = indices.upperBound
            progress(start, count)
        }
    }
}
