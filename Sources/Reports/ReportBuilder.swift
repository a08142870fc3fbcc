import ImageData
import Foundation
import Models
import Serving

/// Builds a report from a model artifact (ours, the service's or MXNet's): the curves from its
/// training history, its hyperparameters, and, given labelled validation data, an evaluation
/// of its weights there (confusion matrix, per-class figures, the most confident mistakes).
public struct ReportBuilder {
    public var title: String
    public var artifact: ModelArtifact
    public var predictor: Predictor
    /// Labelled data to evaluate on, and to count the classes of.
    public var validation: (any SampleSource)?
    /// Training data, to count the classes of.
    public var train: (any SampleSource)?
    public var topK: Int
    /// The best epoch when known otherwise (the training run's); else the history's.
    public var bestEpoch: Int?
    /// Thumbnails of mistakes at most.
    public var mistakes = 24
    /// The training part (curves, hyperparameters); off for `evaluate --html`.
    public var includesTraining = true
    /// Whether the class balance is counted (a pass over the labels).
    public var countsClasses = true

    /// The page's data and the evaluation it shows (nil without validation data).
    public struct Built {
        public var data: ReportData
        public var evaluation: EvaluationReport?
    }

    public init(title: String, artifact: ModelArtifact, predictor: Predictor, validation: (any SampleSource)? = nil,
                train: (any SampleSource)? = nil, topK: Int = 5, bestEpoch: Int? = nil) {
        self.title = title
        self.artifact = artifact
        self.predictor = predictor
        self.validation = validation
        self.train = train
        self.topK = topK
        self.bestEpoch = bestEpoch
    }

    /// The report's data. `warn` hears of images that could not be classified or shown.
    public func build(warn: (String) -> Void = { _ in },
                      progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> Built {
        let classes = (0..<predictor.numClasses).map(predictor.className)
        let history = includesTraining ? artifact.history ?? [] : []
        let best = bestEpoch ?? history.max { $0.validationAccuracy < $1.validationAccuracy }?.epoch
        // Our checkpoints are numbered epoch + 1, as MXNet's callback numbers them.
        let evaluatedEpoch = artifact.epoch > 0 && !history.isEmpty ? artifact.epoch - 1 : nil
        var data = ReportData(
            title: title, generated: ISO8601DateFormatter().string(from: Date()), source: artifact.source,
            model: .init(numLayers: artifact.hyperparameters?["num_layers"].flatMap { Int($0) }, imageShape: predictor.imageShape,
                         numClasses: predictor.numClasses, multiLabel: predictor.multiLabel, classes: classes, epoch: evaluatedEpoch),
            hyperparameters: includesTraining ? artifact.hyperparameters : nil, topK: predictor.multiLabel ? nil : min(topK, predictor.numClasses),
            bestEpoch: best, history: history, classBalance: nil, evaluation: nil, mistakes: [])
        if countsClasses && (train != nil || validation != nil) {
            data.classBalance = .init(
                train: train.map { ReportData.ClassBalance.imagesPerClass($0, numClasses: predictor.numClasses, multiLabel: predictor.multiLabel) },
                validation: validation.map { ReportData.ClassBalance.imagesPerClass($0, numClasses: predictor.numClasses, multiLabel: predictor.multiLabel) })
        }
        var evaluation: EvaluationReport?
        if let validation {
            var collector = MistakeCollector(capacity: predictor.multiLabel ? 0 : mistakes)
            let report = Evaluation.run(predictor: predictor, source: validation, k: topK, warn: warn,
                                        observe: { collector.observe(index: $0, probabilities: $1, labels: $2) },
                                        progress: progress)
            evaluation = report
            // The page names every class (by its index where the model names none).
            var shown = report
            shown.epoch = evaluatedEpoch
            shown.name(classes: classes)
            data.evaluation = shown
            data.mistakes = collector.entries.compactMap { entry in
                do {
                    let image = try Thumbnail.dataURI(validation.load(at: entry.index).imageBytes)
                    let top = PredictionOutput.topK(entry.probabilities, k: 3)
                        .map { ReportData.Guess(class: classes[$0.index], probability: Double($0.probability)) }
                    return ReportData.Mistake(image: image, reference: validation.reference(at: entry.index),
                                              truth: classes[entry.truth], top: top)
                } catch {
                    warn("\(validation.reference(at: entry.index)): no thumbnail: \(error)")
                    return nil
                }
            }
        }
        return Built(data: data, evaluation: evaluation)
    }
}
