import ArgumentParser
import Distributed
import Foundation
import Training

/// What `imgclf train`'s flags say the job is: hyperparameters and channels given on the
/// command line, or a job folder with the command line's overrides.
extension TrainCommand {
    /// --hyperparameters FILE, with --NAME VALUE pairs over it, checked; both channels must
    /// be given.
    func flagHyperparameters() throws -> Hyperparameters {
        var raw: [String: String] = [:]
        if let hyperparameters {
            raw = try Hyperparameters.stringValues(jsonObject: try Data(contentsOf: URL(fileURLWithPath: hyperparameters)), source: hyperparameters)
        }
        for (name, value) in try Self.pairs(rest) { raw[name] = value }
        let hp = try Hyperparameters.parse(raw)
        guard train != nil, validation != nil else { throw Self.missingChannels }
        return hp
    }

    static var missingChannels: ValidationError {
        ValidationError("both --train and --validation are required (or --job-dir)")
    }

    /// The job of the channel and output flags, with `hp`.
    func flagJob(_ hp: Hyperparameters) throws -> TrainingJob {
        guard let train, let validation else { throw Self.missingChannels }
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
            pretrainedModelDir: pretrainedModelDir.map { URL(fileURLWithPath: $0) } ?? ContainerEnvironment.pretrainedModelDir,
            outputDir: out,
            checkpointDir: URL(fileURLWithPath: checkpointDir ?? out.appendingPathComponent("checkpoints").path),
            loaderThreads: threads ?? ProcessInfo.processInfo.activeProcessorCount, seed: seed)
        job.badLabelAllowance = skipBadLabels
        job.tensorboardDir = tensorboardDir.map { URL(fileURLWithPath: $0) }
        job.profile = profile
        return job
    }

    /// The job folder at `root`, with the command line's hyperparameters over its own.
    func jobFolder(root: URL) throws -> JobFolderTraining {
        let overrides = Dictionary(try Self.pairs(rest), uniquingKeysWith: { _, last in last })
        var folder = JobFolderTraining(root: root, overrides: overrides, threads: threads, seed: seed,
                                       s3Mirror: s3Mirror.map { URL(fileURLWithPath: $0) }, badLabelAllowance: skipBadLabels,
                                       pretrainedModelDir: ContainerEnvironment.pretrainedModelDir)
        folder.tensorboardDir = tensorboardDir.map { URL(fileURLWithPath: $0) }
        folder.profile = profile
        return folder
    }
}
