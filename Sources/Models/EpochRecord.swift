import Foundation

/// One epoch's figures: what the training log prints, the resumable state keeps, and the
/// artifact's `training-history.json` holds (a JSON array of these, keys as the properties
/// are named). The report's curves and the serving page read this same record.
public struct EpochRecord: Codable, Sendable, Equatable {
    public var epoch: Int
    public var trainAccuracy: Double
    public var trainTopKAccuracy: Double?
    public var validationAccuracy: Double
    public var validationTopKAccuracy: Double?
    public var trainLoss: Double
    public var seconds: Double
    public var learningRate: Float
    /// Records the train channel skipped (nil where a history was written without it).
    public var skippedImages: Int?
    /// Images trained per second over every worker (nil in histories written before it).
    public var imagesPerSecond: Double?

    public init(epoch: Int, trainAccuracy: Double, trainTopKAccuracy: Double?, validationAccuracy: Double,
                validationTopKAccuracy: Double?, trainLoss: Double, seconds: Double, learningRate: Float,
                skippedImages: Int?, imagesPerSecond: Double?) {
        self.epoch = epoch
        self.trainAccuracy = trainAccuracy
        self.trainTopKAccuracy = trainTopKAccuracy
        self.validationAccuracy = validationAccuracy
        self.validationTopKAccuracy = validationTopKAccuracy
        self.trainLoss = trainLoss
        self.seconds = seconds
        self.learningRate = learningRate
        self.skippedImages = skippedImages
        self.imagesPerSecond = imagesPerSecond
    }

    /// What `training-history.json` must hold, for messages.
    static let expectedHistory = "expected a JSON array of epochs ({\"epoch\": N, \"trainAccuracy\": x, \"validationAccuracy\": x, \"trainLoss\": x, \"seconds\": x, \"learningRate\": x, ...})"

    /// `training-history.json`'s bytes as the artifact writes them.
    public static func historyJSON(_ history: [EpochRecord]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(history)
    }

    /// The records of a `training-history.json` read from `source`; a file that does not hold
    /// them is an error naming the file and what it should hold.
    public static func history(from data: Data, source: String) throws -> [EpochRecord] {
        do {
            return try JSONDecoder().decode([EpochRecord].self, from: data)
        } catch {
            throw ModelArtifact.ArtifactError.invalid(source: source, file: ModelArtifact.historyFile,
                                                      detail: "\(expectedHistory): \(error)")
        }
    }

    /// The validation accuracy of checkpoint `epoch` (MXNet's numbering: log epoch + 1) in
    /// `history`; nil when the history does not hold it.
    public static func validationAccuracy(in history: [EpochRecord]?, checkpoint epoch: Int) -> Double? {
        history?.last { $0.epoch == epoch - 1 }?.validationAccuracy
    }
}
