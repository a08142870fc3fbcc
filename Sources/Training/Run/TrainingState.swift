import Support
import Foundation
import Graph
import Models

/// What a stopped job needs to go on where it left off, kept in the checkpoint folder as
/// one file, `training-state.params`: the weights, moving statistics and optimizer state,
/// plus this progress record as JSON in a uint8 array named `state:progress`. One file
/// replaced by one rename (``AtomicFile``) after every epoch and on SIGTERM, so a kill at any
/// moment leaves the previous complete state or the new one, never half of each.
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
    /// The checkpoint numbers (`image-classification-NNNN.params`) this run has written and
    /// still keeps: only these go into its `model.tar.gz`.
    public var checkpoints: [Int]

    public init(nextEpoch: Int, updates: Int, learningRate: Float, bestAccuracy: Double?, bestEpoch: Int?,
                epochsWithoutImprovement: Int, history: [EpochRecord], numLayers: Int, imageShape: [Int], numClasses: Int,
                multiLabel: Bool, checkpoints: [Int] = []) {
        self.nextEpoch = nextEpoch
        self.updates = updates
        self.learningRate = learningRate
        self.bestAccuracy = bestAccuracy
        self.bestEpoch = bestEpoch
        self.epochsWithoutImprovement = epochsWithoutImprovement
        self.history = history
        self.numLayers = numLayers
        self.imageShape = imageShape
        self.numClasses = numClasses
        self.multiLabel = multiLabel
        self.checkpoints = checkpoints
    }

    public static let paramsName = "training-state.params"
    /// The progress record's array in the state file.
    public static let progressArrayName = "state:progress"

    public func save(to folder: URL, arrays: [(name: String, array: NDArray)]) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try AtomicFile.write(try encoded(arrays: arrays), to: folder.appendingPathComponent(Self.paramsName))
    }

    /// The state file's bytes: `arrays` and this progress record.
    public func encoded(arrays: [(name: String, array: NDArray)]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let progress = [UInt8](try encoder.encode(self))
        let record = (name: Self.progressArrayName, array: NDArray(shape: [progress.count], dtype: .uint8, bytes: progress))
        return ParamsFile.encode(arrays + [record])
    }

    /// A state file's bytes (as ``encoded(arrays:)`` writes them), named `source` in errors.
    public static func decode(_ data: Data, source: String) throws -> (TrainingState, [(name: String, array: NDArray)]) {
        var arrays = try ParamsFile.read(data: data, source: source)
        guard let index = arrays.firstIndex(where: { $0.name == progressArrayName }) else {
            throw TrainingError.badCheckpoint("\(source) has no progress record (array \(progressArrayName))")
        }
        let record = arrays.remove(at: index).array
        return (try progress(record, source: source), arrays)
    }

    private static func progress(_ record: NDArray, source: String) throws -> TrainingState {
        guard record.dtype == .uint8, record.shape.count == 1 else {
            throw TrainingError.badCheckpoint("\(source): array \(progressArrayName) should be a uint8 vector of JSON, found \(record.dtype.name) of shape \(record.shape)")
        }
        do {
            return try JSONDecoder().decode(TrainingState.self, from: Data(record.bytes))
        } catch {
            throw TrainingError.badCheckpoint("\(source): array \(progressArrayName): \(error)")
        }
    }

    /// The saved state in `folder`, if there is one, with its arrays (the progress record
    /// taken out).
    public static func load(from folder: URL) throws -> (TrainingState, [(name: String, array: NDArray)])? {
        let file = folder.appendingPathComponent(paramsName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        var arrays = try ParamsFile.read(contentsOf: file)
        guard let index = arrays.firstIndex(where: { $0.name == progressArrayName }) else {
            throw TrainingError.badCheckpoint("\(file.path) has no progress record (array \(progressArrayName)); remove the file to start afresh")
        }
        let record = arrays.remove(at: index).array
        return (try progress(record, source: file.path), arrays)
    }
}
