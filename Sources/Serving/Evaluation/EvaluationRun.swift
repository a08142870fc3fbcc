import ImageData
import Models

extension Evaluation {
    /// Classifies every sample of `source` with `predictor` (its preprocessing, in batches of
    /// its `maxBatch`) and returns the report. Images that cannot be read or decoded are
    /// counted as failed and reported through `warn`; the run goes on. `observe` sees each
    /// classified image: its index in `source`, its probabilities and its labels.
    public static func run(predictor: Predictor, source: any SampleSource, k: Int = 5,
                           warn: (String) -> Void = { _ in },
                           observe: (_ index: Int, _ probabilities: [Float], _ labels: [Float]) -> Void = { _, _, _ in },
                           progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) -> EvaluationReport {
        var evaluation = Evaluation(numClasses: predictor.numClasses, multiLabel: predictor.multiLabel, k: k)
        var labels: [Int: [Float]] = [:]
        predictor.classifyInBatches(count: source.count, read: { i in
            let sample = try source.load(at: i)
            labels[i] = sample.labels
            return sample.imageBytes
        }, deliver: { (i, outcome) throws(Never) in
            switch outcome {
            case .classified(let p):
                let truth = labels.removeValue(forKey: i) ?? []
                evaluation.add(probabilities: p, labels: truth)
                observe(i, p, truth)
            case .failed(let message):
                warn("\(source.reference(at: i)): \(message)")
                evaluation.addFailure()
            }
        }, progress: progress)
        var report = evaluation.report
        report.name(classes: predictor.classNames)
        return report
    }
}
