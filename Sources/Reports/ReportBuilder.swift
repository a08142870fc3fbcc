import Data
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
        let history = includesTraining ? try Self.history(of: artifact) : []
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
            data.evaluation = Self.part(report, epoch: evaluatedEpoch, classes: classes)
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

    /// The artifact's `training-history.json` (none in the service's or MXNet's artifacts).
    static func history(of artifact: ModelArtifact) throws -> [ReportData.Epoch] {
        guard let raw = artifact.history else { return [] }
        let records: [EpochRecordFile]
        do {
            records = try JSONDecoder().decode([EpochRecordFile].self, from: raw)
        } catch {
            throw ReportError.badHistory(source: artifact.source, detail: "\(error)")
        }
        return records.map {
            .init(epoch: $0.epoch, trainAccuracy: $0.trainAccuracy, trainTopKAccuracy: $0.trainTopKAccuracy,
                  validationAccuracy: $0.validationAccuracy, validationTopKAccuracy: $0.validationTopKAccuracy,
                  trainLoss: $0.trainLoss, learningRate: $0.learningRate, seconds: $0.seconds, imagesPerSecond: $0.imagesPerSecond)
        }
    }

    static func part(_ report: EvaluationReport, epoch: Int?, classes: [String]) -> ReportData.EvaluationPart {
        let perClass = report.perClass.map { c in
            ReportData.ClassFigures(index: c.index, name: c.name ?? classes[c.index], precision: c.precision, recall: c.recall,
                                    f1: c.precision + c.recall > 0 ? 2 * c.precision * c.recall / (c.precision + c.recall) : 0,
                                    support: c.support)
        }
        return .init(epoch: epoch, samples: report.samples, failed: report.failed, multiLabel: report.multiLabel,
                     accuracy: report.accuracy, topK: report.topK, topKAccuracy: report.topKAccuracy,
                     exactMatch: report.exactMatch, perClass: perClass, confusion: report.confusion,
                     topConfusions: report.topConfusions?.map { .init(truth: $0.truth, predicted: $0.predicted, count: $0.count) })
    }
}

/// `training-history.json` as training writes it (EpochRecord's keys), read without the
/// Training module; numbers written as strings (NaN) read as missing.
struct EpochRecordFile: Decodable {
    var epoch: Int
    var trainAccuracy: Double
    var trainTopKAccuracy: Double?
    var validationAccuracy: Double
    var validationTopKAccuracy: Double?
    var trainLoss: Double
    var seconds: Double
    var learningRate: Double
    var imagesPerSecond: Double?
}

public enum ReportError: Error, CustomStringConvertible {
    case badHistory(source: String, detail: String)

    public var description: String {
        switch self {
        case let .badHistory(source, detail): return "\(source): training-history.json is not a list of epochs: \(detail)"
        }
    }
}
