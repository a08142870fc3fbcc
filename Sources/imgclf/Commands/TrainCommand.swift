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
        if let jobDir = effectiveJobDir {
            // The service runs `train` on every host of a multi-host job: outside mpirun, this
            // host takes its part of the launch (the leader starts mpirun over all hosts).
            if !ContainerEnvironment.mpiLaunch.isUnderMPIRun, try Self.hostCount(jobDir: jobDir) > 1 {
                let launch = try LaunchCommand.parse(["--job-dir", jobDir] + rest)
                try launch.run()
                return
            }
            var collective: any Collective = SingleProcess()
            let jobURL = URL(fileURLWithPath: jobDir)
            let worker = Self.workerExit(jobDir: jobURL)
            do {
                let overrides = Dictionary(try Self.pairs(rest), uniquingKeysWith: { _, last in last })
                var job = JobFolderTraining(root: jobURL, overrides: overrides, threads: threads, seed: seed,
                                            s3Mirror: s3Mirror.map { URL(fileURLWithPath: $0) }, badLabelAllowance: skipBadLabels,
                                            pretrainedModelDir: Self.pretrainedModelDirFromEnvironment)
                job.tensorboardDir = tensorboardDir.map { URL(fileURLWithPath: $0) }
                job.profile = profile
                let hp = try job.hyperparameters()
                collective = try Workers.collective(kvStore: hp.kvStore, configuration: mpiConfiguration(worker), note: Self.note)
                worker?.attach(collective)
                var finished: (job: TrainingJob, result: TrainingResult)?
                try job.run(hyperparameters: hp, collective: collective, stop: worker?.stopSignal ?? StopSignal()) { finished = ($0, $1) }
                let rank = collective.rank
                // After the workers' last barrier: the others do not wait (and time out) on it.
                try Workers.finish(collective)
                worker?.settle(0)
                if let finished, !noReport, rank == 0 { Self.writeReport(job: finished.job, result: finished.result) }
            } catch let error as ExitCode {
                throw error
            } catch let stopped as StoppedBySignal {
                try? Workers.finish(collective)
                worker?.settle(128 + stopped.signal)
                FileHandle.standardError.write(Data("\(stopped)\n".utf8))
                throw ExitCode(128 + stopped.signal)
            } catch {
                if let worker { worker.fail("\(error)") } else { JobFolderTraining.reportFailure(root: jobURL, "\(error)") }
                FileHandle.standardError.write(Data("error: \(worker?.prefix ?? "")\(error)\n".utf8))
                throw ExitCode.failure
            }
            return
        }
        var collective: any Collective = SingleProcess()
        let worker = Self.workerExit(jobDir: nil)
        do {
            var raw: [String: String] = [:]
            if let hyperparameters {
                raw = try Hyperparameters.stringValues(jsonObject: try Data(contentsOf: URL(fileURLWithPath: hyperparameters)), source: hyperparameters)
            }
            for (name, value) in try Self.pairs(rest) { raw[name] = value }
            let hp = try Hyperparameters.parse(raw)
            guard let train, let validation else {
                throw ValidationError("both --train and --validation are required (or --job-dir)")
            }
            let out = URL(fileURLWithPath: output)
            let names = attributeNames?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            let mirror = s3Mirror.map { URL(fileURLWithPath: $0) }
            var job = TrainingJob(
                hyperparameters: hp,
                train: Channel(name: "train", path: URL(fileURLWithPath: train), lst: trainLst.map { URL(fileURLWithPath: $0) },
                               contentType: contentType, attributeNames: names, s3Mirror: mirror),
                validation: Channel(name: "validation", path: URL(fileURLWithPath: validation),
                                    lst: validationLst.map { URL(fileURLWithPath: $0) }, contentType: contentType,
                                    attributeNames: names, s3Mirror: mirror),
                model: model.map { URL(fileURLWithPath: $0) },
                pretrainedModelDir: pretrainedModelDir.map { URL(fileURLWithPath: $0) } ?? Self.pretrainedModelDirFromEnvironment,
                outputDir: out,
                checkpointDir: URL(fileURLWithPath: checkpointDir ?? out.appendingPathComponent("checkpoints").path),
                loaderThreads: threads ?? ProcessInfo.processInfo.activeProcessorCount, seed: seed)
            job.badLabelAllowance = skipBadLabels
            job.tensorboardDir = tensorboardDir.map { URL(fileURLWithPath: $0) }
            job.profile = profile
            collective = try Workers.collective(kvStore: hp.kvStore, configuration: mpiConfiguration(worker), note: Self.note)
            worker?.attach(collective)
            let result = try Trainer(job: job, stop: worker?.stopSignal ?? StopSignal(), collective: collective).run()
            let rank = collective.rank
            try Workers.finish(collective)
            worker?.settle(result.stoppedBy.map { 128 + $0 } ?? 0)
            if result.stoppedBy == nil && !noReport && rank == 0 { Self.writeReport(job: job, result: result) }
            if let signal = result.stoppedBy { throw ExitCode(128 + signal) }
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            worker?.fail("\(error)")
            FileHandle.standardError.write(Data("error: \(worker?.prefix ?? "")\(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// report.html beside the model. The model is written by now: a report that cannot be
    /// made is a warning, and the job still succeeds.
    static func writeReport(job: TrainingJob, result: TrainingResult) {
        let say = { (line: String) in FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
        do {
            try TrainingReport.write(job: job, result: result, log: say)
        } catch {
            say("warning: no \(TrainingReport.fileName): \(error)")
        }
    }

    /// IMGCLF_PRETRAINED_DIR (read by ContainerEnvironment): the model-zoo folder when
    /// --pretrained-model-dir is not given.
    static var pretrainedModelDirFromEnvironment: URL? {
        ContainerEnvironment.pretrainedModelDir
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
