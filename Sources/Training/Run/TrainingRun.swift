import Foundation

/// One training run's context, made once (setup included) and passed to every part: the
/// loop, the observers, the checkpoint policy and the run's files read it instead of
/// keeping copies of its fields.
public final class TrainingRun {
    public let job: TrainingJob
    public var hyperparameters: Hyperparameters { job.hyperparameters }
    /// Rank 0's log; a silent one on the other ranks.
    public let log: TrainingLog
    public let collective: any Collective
    /// Rank 0 writes the log, checkpoints, state, artifact and report; the others only train.
    public var isRoot: Bool { collective.rank == 0 }
    /// Checked between batches (on every worker: a signal on one stops them all).
    public let stop: StopSignal?
    /// What setup built: the network, optimizer, loaders and the progress saved per epoch.
    let session: TrainingSession
    /// Set with `--profile`: where the epoch's time went.
    public var profile: TrainingProfile? { session.profile }

    /// The short name the parts use.
    var hp: Hyperparameters { job.hyperparameters }

    /// Sets the run up (channels, network, weights, optimizer, resumed state, loaders):
    /// everything is checked here, before any training.
    public init(job: TrainingJob, log: TrainingLog = TrainingLog(), stop: StopSignal? = nil,
                collective: any Collective = SingleProcess()) throws {
        let runLog = collective.rank == 0 ? log : TrainingLog(interactive: false, progressInterval: .infinity, write: { _ in })
        self.job = job
        self.log = runLog
        self.stop = stop
        self.collective = collective
        session = try TrainingSetup(job: job, log: runLog, collective: collective).makeSession()
    }

    /// `body`, timed into the profile's `phase` when the run is profiled.
    func timed<T>(_ phase: TrainingProfile.Phase, _ body: () throws -> T) rethrows -> T {
        guard let profile else { return try body() }
        return try profile.time(phase, body)
    }
}
