import Foundation
import Graph

/// What a stopped job needs to go on where it left off, kept in the checkpoint folder:
/// `training-state.json` (progress) and `training-state.params` (weights, moving
/// statistics and optimizer state). Written atomically after every epoch and on SIGTERM.
public struct TrainingState: Codable, Sendable {
    /// The first epoch still to run.
    public var nextEpoch: Int
    public var updates: Int
    public var learningRate: Float
    public var bestAccuracy: Double?
    public var bestEpoch: Int?
    public var epochsWithoutImprovement: Int
    public var history: [EpochRecord]
    /// The network the state belongs to: a state for another network is not resumed.
    public var numLayers: Int
    public var imageShape: [Int]
    public var numClasses: Int
    public var multiLabel: Bool

    public static let jsonName = "training-state.json"
    public static let paramsName = "training-state.params"

    public func save(to folder: URL, arrays: [(name: String, array: NDArray)]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try ParamsFile.write(arrays, to: folder.appendingPathComponent(Self.paramsName))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: folder.appendingPathComponent(Self.jsonName), options: .atomic)
    }

    /// The saved state in `folder`, if there is one.
    public static func load(from folder: URL) throws -> (TrainingState, [(name: String, array: NDArray)])? {
        let json = folder.appendingPathComponent(jsonName)
        guard FileManager.default.fileExists(atPath: json.path) else { return nil }
        let state: TrainingState
        do {
            state = try JSONDecoder().decode(TrainingState.self, from: Data(contentsOf: json))
        } catch {
            throw TrainingError.badCheckpoint("\(json.path): \(error)")
        }
        let arrays = try ParamsFile.read(contentsOf: folder.appendingPathComponent(paramsName))
        return (state, arrays)
    }
}

/// One epoch's figures, for the log, the artifact's history and resuming.
public struct EpochRecord: Codable, Sendable {
    public var epoch: Int
    public var trainAccuracy: Double
    public var trainTopKAccuracy: Double?
    public var validationAccuracy: Double
    public var validationTopKAccuracy: Double?
    public var trainLoss: Double
    public var seconds: Double
    public var learningRate: Float
    public var skippedImages: Int
}

/// Why a training job could not run or go on. Each message says what to change.
public enum TrainingError: Error, CustomStringConvertible {
    case tooFewImages(channel: String, found: Int, miniBatchSize: Int)
    case missingChannel(name: String, path: String)
    case modelMismatch(String)
    case pretrained(String)
    case badCheckpoint(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case let .tooFewImages(channel, found, batch):
            return "the number of input images must be at least mini_batch_size: the \(channel) channel has \(found) image(s), mini_batch_size is \(batch)"
        case let .missingChannel(name, path): return "the \(name) channel is missing: expected its data in \(path)"
        case let .modelMismatch(detail): return "the model channel does not match this job: \(detail)"
        case let .pretrained(detail): return "use_pretrained_model=1: \(detail)"
        case let .badCheckpoint(detail): return "cannot resume from the checkpoint folder: \(detail)"
        case let .unsupported(detail): return detail
        }
    }
}
