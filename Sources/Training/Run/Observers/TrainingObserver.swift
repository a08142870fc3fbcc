import Models

/// What joins a training run's epoch loop without being the loop, as MXNet's `fit` takes
/// batch-end and epoch-end callbacks: the log lines, TensorBoard scalars, checkpoints, the
/// stop check, and from outside (`Trainer`'s or `TrainingRun.execute`'s `observers`) e.g.
/// the report. The loop calls each hook on every observer in order; each hook does nothing
/// unless an observer implements it.
public protocol TrainingObserver: AnyObject {
    /// After each training batch's update. Throwing `StoppedBySignal` stops the run at this
    /// batch (every worker must, at the same batch); any other error fails the run.
    func batchEnded(_ batch: BatchEnd, in run: TrainingRun) throws
    /// The training pass took its last batch, or a stop ended it; its figures come next.
    func batchesEnded(epoch: Int, in run: TrainingRun)
    /// The training pass's figures over every worker, and its wall time.
    func trainingPassEnded(epoch: Int, figures: EpochFigures, seconds: Double, in run: TrainingRun)
    /// The validation pass's figures over every worker.
    func validationEnded(epoch: Int, figures: EpochFigures, in run: TrainingRun)
    /// The epoch is in the history (`record` is its last entry): what is saved is saved here.
    func epochEnded(_ record: EpochRecord, in run: TrainingRun) throws
    /// A signal stopped the run part-way through `epoch` (run again on resume).
    func stopped(by signal: Int32, inEpoch epoch: Int, run: TrainingRun) throws
    /// `TrainingRun.execute` only, after the workers have parted: how the run ended. Not
    /// called when the run failed before it was set up.
    func runEnded(_ outcome: TrainingOutcome, run: TrainingRun)
}

extension TrainingObserver {
    public func batchEnded(_ batch: BatchEnd, in run: TrainingRun) throws {}
    public func batchesEnded(epoch: Int, in run: TrainingRun) {}
    public func trainingPassEnded(epoch: Int, figures: EpochFigures, seconds: Double, in run: TrainingRun) {}
    public func validationEnded(epoch: Int, figures: EpochFigures, in run: TrainingRun) {}
    public func epochEnded(_ record: EpochRecord, in run: TrainingRun) throws {}
    public func stopped(by signal: Int32, inEpoch epoch: Int, run: TrainingRun) throws {}
    public func runEnded(_ outcome: TrainingOutcome, run: TrainingRun) {}
}

/// Where a training pass is after a batch: this worker's running figures.
public struct BatchEnd: Sendable {
    public var epoch: Int
    /// Batches done in this pass, from 1.
    public var batch: Int
    /// The pass's batches, when the loader knows them (a pipe does not).
    public var batches: Int?
    /// Seconds since the pass started.
    public var elapsed: Double
    public var imagesPerSecond: Double
    public var loss: Double
    public var accuracy: Double
    /// Optimizer updates so far, over the whole run.
    public var updates: Int

    /// At the pass's pace so far; nil when the number of batches is unknown.
    public var secondsLeft: Double? {
        batches.map { Double($0 - batch) * elapsed / Double(batch) }
    }
}
