import ArgumentParser
import Distributed
import Foundation
import Support
import Reports
import Training

/// `imgclf train`: the training job, from the command line or from a SageMaker-style job
/// folder. Hyperparameters keep the service's names: `--num_classes 10 --epochs 5 ...`.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a ResNet image classifier (SageMaker Image Classification hyperparameters and channels).",
        discussion: """
        Hyperparameters are given as --NAME VALUE with the service's names (num_classes, num_training_samples, \
        num_layers, image_shape, mini_batch_size, epochs, learning_rate, optimizer, augmentation_type, multi_label, \
        checkpoint_frequency, early_stopping, top_k, use_pretrained_model, ...), or in a JSON file with \
        --hyperparameters FILE (string values, as the service writes hyperparameters.json). Every value is checked \
        before any work, and every problem is reported at once.
        Channels: --train and --validation take a .rec file, an image folder (with a .lst, or one sub-folder per \
        class) or a JSON Lines manifest.
        """)

    @Option(help: "Training data: a .rec file, an image folder, or a JSON Lines manifest.") var train: String?
    @Option(help: "Validation data, in any form --train takes.") var validation: String?
    @Option(name: .customLong("train-lst"), help: "A .lst for a training image folder.") var trainLst: String?
    @Option(name: .customLong("validation-lst"), help: "A .lst for a validation image folder.") var validationLst: String?
    @Option(help: "Incremental training: an earlier model.tar.gz or model folder.") var model: String?
    @Option(help: "Where the model files and model.tar.gz go.") var output: String = "./model"
    @Option(name: .customLong("checkpoint-dir"), help: "Folder for resumable state (default: OUTPUT/checkpoints).") var checkpointDir: String?
    @Option(name: .customLong("pretrained-model-dir"), help: "MXNet model-zoo checkpoints for use_pretrained_model=1.") var pretrainedModelDir: String?
    @Option(help: "A JSON object of hyperparameters (string values, like the service's hyperparameters.json).") var hyperparameters: String?
    @Option(name: .customLong("content-type"), help: "Content type of the channels (e.g. application/x-recordio; label-format=class-id).") var contentType: String?
    @Option(name: .customLong("attribute-names"), help: "Manifest AttributeNames: REF,LABEL (e.g. source-ref,class).") var attributeNames: String?
    @Option(name: .customLong("s3-mirror"), help: "Local folder that mirrors s3:// references in manifests (s3://bucket/key -> DIR/bucket/key).") var s3Mirror: String?
    @Option(name: .customLong("job-dir"), help: "Run as the container does, under this job folder (default when no --train/--validation is given: $IMGCLF_JOB_DIR, else /opt/ml).") var jobDir: String?
    @Option(name: .customLong("skip-bad-labels"), help: "Fraction of a .rec's records or a .lst's lines whose invalid labels may be skipped (default 0: any such record or line fails the job, naming it).") var skipBadLabels: Double = 0
    @Option(help: "Decoding threads (default: the number of cores).") var threads: Int?
    @Option(help: "Seed for initialisation, shuffling and augmentation.") var seed: UInt64 = 0
    @Option(name: .customLong("tensorboard-dir"), help: "Write the per-epoch and periodic batch scalars here as TensorBoard event files (job folder default: output/tensorboard when it exists).") var tensorboardDir: String?
    @Flag(name: .customLong("no-report"), help: "Do not write report.html beside the model (it evaluates the best epoch on the validation channel once more).") var noReport = false
    @Flag(help: "After each epoch, print where its time went: loader wait, forward and backward per operator kind, gradient exchange, optimizer, validation, checkpoints; and the convolutions' GFLOP/s against the cores' estimated peak.") var profile = false

    // Test hooks for runs under mpirun (scripts/test-distributed), hidden from help.
    @Option(name: .customLong("dump-weights-dir"), help: .hidden) var dumpWeightsDir: String?
    @Flag(name: .customLong("verify-sync"), help: .hidden) var verifySync = false

    @Argument(parsing: .allUnrecognized, help: "Hyperparameters as --NAME VALUE.") var rest: [String] = []

    mutating func validate() throws {
        if let threads { try requireRange(threads, 1...1024, option: "--threads") }
        guard skipBadLabels.isFinite, (0...1).contains(skipBadLabels) else {
            throw ValidationError("--skip-bad-labels must be a fraction in [0, 1], got \(skipBadLabels)")
        }
    }

    /// The MPI settings: the environment's (docs/environment.md) with this command's test hooks;
    /// the watchdog's message also goes where `worker` reports failures.
    func mpiConfiguration(_ worker: WorkerExit?) -> MPICollective.Configuration {
        var configuration = ContainerEnvironment.mpiConfiguration(verifyEveryUpdate: verifySync,
                                                                  dumpWeightsDir: dumpWeightsDir.map { URL(fileURLWithPath: $0) })
        if let worker { configuration.beforeTimeoutExit = { worker.fail($0) } }
        return configuration
    }

    /// A worker started by mpirun (nil for a process on its own): see ``WorkerExit``.
    static func workerExit(jobDir: URL?) -> WorkerExit? {
        let launch = ContainerEnvironment.mpiLaunch
        guard launch.isUnderMPIRun else { return nil }
        return WorkerExit(jobDir: jobDir, rank: launch.environmentRank ?? 0)
    }

    /// `docker run IMAGE train` passes no channels: the job folder is the container's.
    var effectiveJobDir: String? {
        jobDir ?? (train == nil && validation == nil ? ContainerEnvironment.jobDir : nil)
    }

    func run() throws {
        ProcessNice.applyToCurrentThread()
        let jobDir = effectiveJobDir
        // The service runs `train` on every host of a multi-host job: outside mpirun, this
        // host takes its part of the launch (the leader starts mpirun over all hosts).
        if let jobDir, !ContainerEnvironment.mpiLaunch.isUnderMPIRun, try Self.hostCount(jobDir: jobDir) > 1 {
            let launch = try LaunchCommand.parse(["--job-dir", jobDir] + rest)
            try launch.run()
            return
        }
        let jobURL = jobDir.map { URL(fileURLWithPath: $0) }
        let worker = Self.workerExit(jobDir: jobURL)
        var folder: JobFolderTraining?
        let outcome = TrainingRun.execute(
            hyperparameters: {
                guard let jobURL else { return try flagHyperparameters() }
                let given = try jobFolder(root: jobURL)
                folder = given
                return try given.hyperparameters()
            },
            connect: { hp in
                let collective = try Workers.collective(kvStore: hp.kvStore, configuration: mpiConfiguration(worker), note: Self.note)
                worker?.attach(collective)
                return collective
            },
            job: { hp in try folder?.trainingJob(hyperparameters: hp) ?? flagJob(hp) },
            disconnect: Workers.finish,
            stop: worker?.stopSignal ?? StopSignal(),
            observers: (worker.map { [WorkerSettlement($0)] } ?? []) + (noReport ? [] : [TrainingReportObserver()]))
        try Self.end(outcome, jobDir: jobURL, worker: worker)
    }

    /// Ends the command as the outcome says: a stop exits with 128 + the signal; a failure
    /// is written where the job's watchers look (the worker's status, a job folder's
    /// `output/failure`) and on standard error, and exits with 1. A usage error of the
    /// flags (not of a job folder's hyperparameters) is ArgumentParser's to report.
    static func end(_ outcome: TrainingOutcome, jobDir: URL?, worker: WorkerExit?) throws {
        switch outcome {
        case .completed:
            return
        case let .stopped(signal):
            if jobDir != nil { FileHandle.standardError.write(Data("\(StoppedBySignal(signal: signal))\n".utf8)) }
            throw ExitCode(128 + signal)
        case .failed(let error as ExitCode):
            throw error
        case .failed(let error as ValidationError) where jobDir == nil:
            throw error
        case let .failed(error):
            if let worker { worker.fail("\(error)") } else if let jobDir { JobFolderTraining.reportFailure(root: jobDir, "\(error)") }
            FileHandle.standardError.write(Data("error: \(worker?.prefix ?? "")\(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// Hosts in the job folder's resourceconfig.json (1 when there is none).
    static func hostCount(jobDir: String) throws -> Int {
        let file = URL(fileURLWithPath: jobDir).appendingPathComponent("input/config/resourceconfig.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return 1 }
        do {
            return try ResourceConfig.read(contentsOf: file).hosts.count
        } catch {
            JobFolderTraining.reportFailure(root: URL(fileURLWithPath: jobDir), "\(error)")
            throw error
        }
    }

    static func note(_ line: String) {
        FileHandle.standardError.write(Data("note: \(line)\n".utf8))
    }

    /// `--name value` pairs (also `--name=value`); anything else is an error naming it.
    static func pairs(_ args: [String]) throws -> [(String, String)] {
        var result: [(String, String)] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            guard a.hasPrefix("--") else { throw ValidationError("unexpected argument '\(a)': hyperparameters are given as --NAME VALUE") }
            let body = String(a.dropFirst(2))
            if let eq = body.firstIndex(of: "=") {
                result.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
                i += 1
            } else {
                guard i + 1 < args.count else { throw ValidationError("--\(body) needs a value") }
                result.append((body, args[i + 1]))
                i += 2
            }
        }
        return result
    }
}
