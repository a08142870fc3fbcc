import Data

extension Evaluation {
    /// Classifies every sample of `source` with `predictor` (its preprocessing, in batches of
    /// its `maxBatch`) and returns the report. Images that cannot be read or decoded are
    /// counted as failed and reported through `warn`; the run goes on.
    public static func run(predictor: Predictor, source: any SampleSource, k: Int = 5,
                           warn: (String) -> Void = { _ in },
                           progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> EvaluationReport {
        var evaluation = Evaluation(numClasses: predictor.numClasses, multiLabel: predictor.multiLabel, k: k)
        let total = source.count, step = max(1, predictor.options.maxBatch)
        var start = 0
        while start < total {
            let indices = start..<min(total, start + step)
            var images: [[UInt8]] = [], labels: [[Float]?] = []
            for i in indices {
                do {
                    let sample = try source.load(at: i)
                    images.append(sample.imageBytes)
                    labels.append(sample.labels)
                } catch {
                    warn("\(source.reference(at: i)): \(error)")
                    images.append([])
                    labels.append(nil)
                }
            }
            for (offset, result) in predictor.predict(images).enumerated() {
                guard let label = labels[offset] else { evaluation.addFailure(); continue }
                switch result {
                case .success(let p): evaluation.add(probabilities: p, labels: label)
                case .failure(let e):
                    warn("\(source.reference(at: indices.lowerBound + offset)): \(e)")
                    evaluation.addFailure()
                }
            }
            start = indices.upperBound
            progress(start, total)
        }
        var report = evaluation.report
        report.name(classes: predictor.classNames)
        return report
    }
}
