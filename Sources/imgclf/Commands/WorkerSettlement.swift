import Distributed
import Training

/// Tells this worker's ``WorkerExit`` how its run ended (the host's launch reads it): 128 +
/// the signal after an orderly stop, as soon as the state is saved; 0 as soon as the workers
/// have parted, before the report is written. A failure is reported by the command
/// (``WorkerExit/fail(_:)``).
final class WorkerSettlement: TrainingObserver {
    let worker: WorkerExit

    init(_ worker: WorkerExit) {
        self.worker = worker
    }

    /// Settled before parting, once the state is saved (the policy's hook ran first): the
    /// others may exit 143 as soon as they have parted, and mpirun then ends this worker
    /// with a SIGTERM, which a settled worker takes as the end it already chose.
    func stopped(by signal: Int32, inEpoch epoch: Int, run: TrainingRun) {
        worker.settle(128 + signal)
    }

    func runEnded(_ outcome: TrainingOutcome, run: TrainingRun) {
        switch outcome {
        case .completed: worker.settle(0)
        case let .stopped(signal): worker.settle(128 + signal)
        case .failed: break
        }
    }
}
