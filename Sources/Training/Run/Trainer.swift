/// Runs a training job in this process: validates everything first, then trains epoch by
/// epoch with the original algorithm's log, checkpoints, early stopping and artifact.
/// Nothing is done until `run()`, which sets the run up (`TrainingRun`) and runs its loop
/// (`TrainingLoop`) with `observers` beside the run's own.
///
/// The parts, each in its own file: setup (`TrainingSetup`, `TrainingData`, `InitialWeights`),
/// the context every part reads (`TrainingRun`), the epoch loop (`TrainingLoop`), its
/// observers (`Observers/`), what is saved when (`CheckpointPolicy`) and the files
/// (`RunFiles`). A whole job with its workers and outcome is `TrainingRun.execute`.
public final class Trainer {
    let job: TrainingJob
    let log: TrainingLog
    let stop: StopSignal?
    let collective: any Collective
    let observers: [any TrainingObserver]

    public init(job: TrainingJob, log: TrainingLog = TrainingLog(), stop: StopSignal? = nil,
                collective: any Collective = SingleProcess(), observers: [any TrainingObserver] = []) {
        self.job = job
        self.log = log
        self.stop = stop
        self.collective = collective
        self.observers = observers
    }

    public func run() throws -> TrainingResult {
        let run = try TrainingRun(job: job, log: log, stop: stop, collective: collective)
        return try TrainingLoop(run: run, observers: observers).trainEpochs()
    }
}
