import Compute
import ImageData
import Graph
import Models

/// The network a run trains: its graph, its weights, and one executor per pass.
struct TrainingNetwork {
    let symbol: Symbol
    let store: ParameterStore
    let training: Executor
    let inference: Executor
}

/// What setup builds and the epochs share: the network, the optimizer, the loaders, and the
/// progress that is saved after every epoch. A class: the loop and the checkpoint policy
/// both update the one progress record.
final class TrainingSession {
    let network: TrainingNetwork
    let optimizer: any Optimizer
    let trainLoader: BatchLoader
    let validLoader: BatchLoader
    /// Batches each worker trains per epoch (the same on every worker; see `agreedBatches`).
    let batchLimit: Int
    let classNames: [String]?
    var state: TrainingState
    var validationSizes: ValidationSizes
    /// Set with `--profile`: the epoch's phases and the training executor's op times.
    let profile: TrainingProfile?

    init(network: TrainingNetwork, optimizer: any Optimizer, trainLoader: BatchLoader, validLoader: BatchLoader,
         batchLimit: Int, classNames: [String]?, state: TrainingState, validationSizes: ValidationSizes,
         profile: TrainingProfile? = nil) {
        self.profile = profile
        network.training.profile = profile?.executor
        self.network = network
        self.optimizer = optimizer
        self.trainLoader = trainLoader
        self.validLoader = validLoader
        self.batchLimit = batchLimit
        self.classNames = classNames
        self.state = state
        self.validationSizes = validationSizes
    }

    /// Adds an epoch's figures to the history that is saved and written into the artifact;
    /// returns the record added.
    func record(epoch: Int, train: EpochFigures, seconds: Double, validation: EpochFigures) -> EpochRecord {
        let record = EpochRecord(epoch: epoch, trainAccuracy: train.accuracy, trainTopKAccuracy: train.topK,
                                 validationAccuracy: validation.accuracy, validationTopKAccuracy: validation.topK,
                                 trainLoss: train.loss, seconds: seconds, learningRate: state.learningRate,
                                 skippedImages: trainLoader.skippedInEpoch,
                                 imagesPerSecond: seconds > 0 ? train.samples / seconds : nil)
        state.history.append(record)
        return record
    }
}

/// An epoch pass's figures over every worker's samples.
public struct EpochFigures: Sendable {
    public var accuracy: Double
    public var topK: Double?
    public var loss: Double
    /// Samples over every worker.
    public var samples: Double
}
