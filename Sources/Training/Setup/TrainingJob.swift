import Foundation
import Models

/// A training job: the channels, the hyperparameters, and where results go.
public struct TrainingJob: Sendable {
    public var hyperparameters: Hyperparameters
    public var train: Channel
    public var validation: Channel
    /// Incremental training: an earlier model (`model.tar.gz` or folder).
    public var model: URL?
    /// Folder with MXNet model-zoo checkpoints (`resnet-N-symbol.json`, `resnet-N-0000.params`),
    /// for `use_pretrained_model=1`; the command layer finds it (option or environment).
    public var pretrainedModelDir: URL?
    /// Model files and `model.tar.gz` go here.
    public var outputDir: URL
    /// Whether `model.tar.gz` is packed in `outputDir`. A job folder leaves the plain files:
    /// the service packs `/opt/ml/model` itself, so an archive there would end up nested.
    public var packsArchive: Bool = true
    /// The fraction of a channel's records whose invalid labels may be skipped; more, or any
    /// at the default 0, fails the job naming the first bad records.
    public var badLabelAllowance: Double = 0
    /// State for resuming; a job started again with the same folder goes on from it.
    public var checkpointDir: URL?
    /// TensorBoard event files of the per-epoch and periodic batch scalars go here (rank 0).
    public var tensorboardDir: URL?
    /// Decoding threads; default: the cores.
    public var loaderThreads: Int
    /// Per epoch, where the time went (`--profile`): phases, operator kinds and GFLOP/s.
    public var profile = false
    public var seed: UInt64

    public init(hyperparameters: Hyperparameters, train: Channel, validation: Channel, model: URL? = nil,
                pretrainedModelDir: URL? = nil, outputDir: URL, checkpointDir: URL? = nil,
                loaderThreads: Int = ProcessInfo.processInfo.activeProcessorCount, seed: UInt64 = 0) {
        self.hyperparameters = hyperparameters
        self.train = train
        self.validation = validation
        self.model = model
        self.pretrainedModelDir = pretrainedModelDir
        self.outputDir = outputDir
        self.checkpointDir = checkpointDir
        self.loaderThreads = loaderThreads
        self.seed = seed
    }
}

/// How a training run ended.
public struct TrainingResult: Sendable {
    public var history: [EpochRecord]
    public var bestValidationAccuracy: Double
    public var bestEpoch: Int
    public var artifact: URL?
    /// Set when SIGTERM/SIGINT stopped the run (its state was saved first).
    public var stoppedBy: Int32?
    public var earlyStopped: Bool
}
