import Foundation
import Models

/// Runs a training job: validates everything first, then trains epoch by epoch with the
/// original algorithm's log, checkpoints, early stopping and artifact.
///
/// The parts, each in its own file: setup (`TrainerSetup`, `TrainingData`, `InitialWeights`),
/// the epoch's passes (`EpochRunner`), what is saved when (`CheckpointPolicy`) and the files
/// (`RunFiles`).
public final class Trainer {
    let job: TrainingJob
    let hp: Hyperparameters
    let log: TrainingLog
    let stop: StopSignal?
    let collective: any Collective
    /// Rank 0 writes the log, checkpoints, state and artifact; the others only train.
    var isRoot: Bool { collective.rank == 0 }

    public init(job: TrainingJob, log: TrainingLog = TrainingLog(), stop: StopSignal? = nil,
                collective: any Collective = SingleProcess()) {
        self.job = job
        self.hp = job.hyperparameters
        self.log = collective.rank == 0 ? log : TrainingLog(interactive: false, progressInterval: .infinity, write: { _ in })
        self.stop = stop
        self.collective = collective
    }

    public func run() throws -> TrainingResult {
        let session = try makeSession()
        let scalars = try isRoot ? job.tensorboardDir.map { [log] in
            try ScalarEventWriter(folder: $0, warn: { log.info("warning: " + $0) })
        } : nil
        let runner = EpochRunner(hp: hp, job: job, log: log, stop: stop, collective: collective, session: session, scalars: scalars)
        let files = RunFiles(job: job, hp: hp, log: log, isRoot: isRoot, session: session)
        let policy = CheckpointPolicy(hp: hp, log: log, isRoot: isRoot, session: session, files: files)
        var stoppedBy: Int32?
        var earlyStopped = false

        // A resumed state may already be past `epochs` (the run asked for fewer this time).
        epochs: for epoch in session.state.nextEpoch..<max(session.state.nextEpoch, hp.epochs) {
            session.profile?.reset()
            switch try runner.train(epoch) {
            case let .stopped(signal):
                try policy.saveOnSignal(signal, epoch: epoch)
                stoppedBy = signal
                break epochs
            case let .completed(train, seconds):
                let validation = try runner.timed(.validation) { try runner.validate(epoch) }
                session.record(epoch: epoch, train: train, seconds: seconds, validation: validation)
                try runner.timed(.checkpoint) {
                    if let scalars, let record = session.state.history.last { scalars.write(Self.scalars(of: record), step: epoch) }
                    try policy.endOfEpoch(epoch, accuracy: validation.accuracy)
                }
                for line in session.profile?.lines(span: "epoch[\(epoch)]") ?? [] { log.info(line) }
                if policy.stopsEarly(after: epoch) {
                    earlyStopped = true
                    break epochs
                }
            }
        }

        let artifact = stoppedBy == nil ? try policy.finish() : nil
        let state = session.state
        return TrainingResult(history: state.history, bestValidationAccuracy: state.bestAccuracy ?? 0,
                              bestEpoch: state.bestEpoch ?? 0, artifact: artifact, stoppedBy: stoppedBy, earlyStopped: earlyStopped)
    }

    /// An epoch's figures as TensorBoard scalars (absent top-k figures left out).
    static func scalars(of record: EpochRecord) -> [(tag: String, value: Double)] {
        var values: [(tag: String, value: Double)] = [
            ("train/accuracy", record.trainAccuracy), ("validation/accuracy", record.validationAccuracy),
            ("train/loss", record.trainLoss), ("learning_rate", Double(record.learningRate)),
            ("epoch/seconds", record.seconds),
        ]
        if let v = record.trainTopKAccuracy { values.append(("train/top_k_accuracy", v)) }
        if let v = record.validationTopKAccuracy { values.append(("validation/top_k_accuracy", v)) }
        if let v = record.imagesPerSecond { values.append(("epoch/images_per_second", v)) }
        return values
    }
}
