import Foundation
import Support

/// Training as the container runs it, under a job folder (SageMaker's `/opt/ml`):
/// `input/config/{hyperparameters,inputdataconfig}.json` (`resourceconfig.json`'s hosts are
/// `imgclf launch`'s business: under mpirun the workers are the collective), data in
/// `input/data/<channel>/` (File mode) or FIFOs `input/data/<channel>_<epoch>` (Pipe mode),
/// model files to `model/`, the failure reason to `output/failure`, checkpoints in
/// `checkpoints/` when that folder exists. The model folder keeps plain files (symbol, params,
/// `model-shapes.json`, side files): the service packs it into `model.tar.gz` itself.
public struct JobFolderTraining {
    public let root: URL
    /// Hyperparameters given on the command line, over hyperparameters.json's.
    public let overrides: [String: String]
    public let threads: Int?
    public let seed: UInt64
    /// Local folder standing in for S3, for manifests that reference `s3://bucket/key`.
    public let s3Mirror: URL?
    /// Fraction of records with invalid labels that may be skipped (0: any fails the job).
    public let badLabelAllowance: Double
    /// MXNet model-zoo checkpoints for use_pretrained_model=1 (the command layer finds them).
    public let pretrainedModelDir: URL?
    /// TensorBoard scalars go here; nil: the job folder's `output/tensorboard` when it exists
    /// (the service's TensorBoardOutputConfig LocalPath, which it uploads as the job runs).
    public var tensorboardDir: URL?
    /// Per epoch, where the time went (`--profile`).
    public var profile = false

    public init(root: URL, overrides: [String: String] = [:], threads: Int? = nil, seed: UInt64 = 0,
                s3Mirror: URL? = nil, badLabelAllowance: Double = 0, pretrainedModelDir: URL? = nil) {
        self.root = root
        self.overrides = overrides
        self.threads = threads
        self.seed = seed
        self.s3Mirror = s3Mirror
        self.badLabelAllowance = badLabelAllowance
        self.pretrainedModelDir = pretrainedModelDir
    }

    var config: URL { root.appendingPathComponent("input/config") }
    var data: URL { root.appendingPathComponent("input/data") }

    /// hyperparameters.json with the overrides, validated (every problem at once).
    public func hyperparameters() throws -> Hyperparameters {
        let hpFile = config.appendingPathComponent("hyperparameters.json")
        var raw: [String: String] = [:]
        if FileManager.default.fileExists(atPath: hpFile.path) {
            raw = try Hyperparameters.stringValues(jsonObject: try Data(contentsOf: hpFile), source: hpFile.path)
        }
        raw.merge(overrides) { _, given in given }
        return try Hyperparameters.parse(raw, source: hpFile.path)
    }

    /// Trains with `hp` (default: ``hyperparameters()``) over the workers of `collective`;
    /// throws `StoppedBySignal` when a signal stopped it. (`imgclf train` runs the same job
    /// through `TrainingRun.execute`.)
    public func run(hyperparameters given: Hyperparameters? = nil, collective: any Collective = SingleProcess(),
                    stop: StopSignal = StopSignal()) throws {
        let job = try trainingJob(hyperparameters: given ?? hyperparameters())
        let result = try Trainer(job: job, stop: stop, collective: collective).run()
        if let s = result.stoppedBy { throw StoppedBySignal(signal: s) }
    }

    /// The job this folder describes, with `hp`: its channels (File or Pipe mode, as
    /// inputdataconfig.json says), the model channel, and where results go.
    public func trainingJob(hyperparameters hp: Hyperparameters) throws -> TrainingJob {
        let fm = FileManager.default
        let inputFile = config.appendingPathComponent("inputdataconfig.json")
        let inputs = fm.fileExists(atPath: inputFile.path) ? try InputDataConfig.read(contentsOf: inputFile) : InputDataConfig(channels: [:])

        func channel(_ name: String, required: Bool) throws -> Channel? {
            let cfg = inputs.channels[name]
            let pipe = cfg?.inputMode == .pipe
            let path = data.appendingPathComponent(name)
            if !pipe && !fm.fileExists(atPath: path.path) {
                if required { throw TrainingError.missingChannel(name: name, path: path.path) }
                return nil
            }
            let lst = fm.fileExists(atPath: data.appendingPathComponent(name + "_lst").path)
                ? data.appendingPathComponent(name + "_lst") : nil
            // RecordWrapperType RecordIO is how the service delivers an augmented manifest:
            // in Pipe mode each sample is an image record then a label record (AttributeNames
            // order), so the names themselves are not needed.
            let layout: Channel.PipeLayout = cfg?.recordWrapperType == "RecordIO" ? .manifestPairs : .imageRecords
            var channel = Channel(name: name, path: path, lst: lst, contentType: cfg?.contentType, pipeMode: pipe,
                                  s3Mirror: s3Mirror, pipeLayout: layout)
            channel.preSharded = cfg?.s3DistributionType == "ShardedByS3Key"
            return channel
        }
        let train = try channel("train", required: true)!
        let validation = try channel("validation", required: true)!
        let model = try channel("model", required: false)?.path
        let checkpoints = root.appendingPathComponent("checkpoints")
        var isDir: ObjCBool = false
        let checkpointDir = fm.fileExists(atPath: checkpoints.path, isDirectory: &isDir) && isDir.boolValue ? checkpoints : nil
        var job = TrainingJob(hyperparameters: hp, train: train, validation: validation, model: model,
                              pretrainedModelDir: pretrainedModelDir, outputDir: root.appendingPathComponent("model"), checkpointDir: checkpointDir,
                              loaderThreads: threads ?? ProcessInfo.processInfo.activeProcessorCount, seed: seed)
        job.packsArchive = false
        job.profile = profile
        job.badLabelAllowance = badLabelAllowance
        let serviceTensorBoard = root.appendingPathComponent("output/tensorboard")
        job.tensorboardDir = tensorboardDir
            ?? (fm.fileExists(atPath: serviceTensorBoard.path, isDirectory: &isDir) && isDir.boolValue ? serviceTensorBoard : nil)
        return job
    }

    /// The most of a failure message `output/failure` keeps (the service shows its first 1024
    /// characters; a 10 MB hyperparameter value must not become a 10 MB file).
    public static let failureLimit = 16 * 1024

    /// Writes the reason a job failed where the service shows it, cut to `failureLimit` bytes
    /// on a character boundary (the log has the whole message).
    public static func reportFailure(root: URL, _ message: String) {
        let output = root.appendingPathComponent("output")
        try? FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var text = message
        if message.utf8.count > failureLimit {
            var kept = "", bytes = 0
            for character in message {
                bytes += character.utf8.count
                if bytes > failureLimit - 100 { break }
                kept.append(character)
            }
            text = kept + " ... (\(message.utf8.count - kept.utf8.count) more bytes; the whole message is in the log)"
        }
        try? AtomicFile.write(Data(text.utf8), to: output.appendingPathComponent("failure"))
    }
}
