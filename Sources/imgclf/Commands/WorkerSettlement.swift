import Distributed
import Training

/// Tells this worker's ``WorkerExit`` how its run ended, as soon as the workers have parted
/// and before the report is written: 0, or 128 + the signal after an orderly stop (the
/// host's launch reads it). A failure is reported by the command (``WorkerExit/fail(_:)``).
final class WorkerSettlement: TrainingObserver {
    let worker: WorkerExit

    init(_ worker: WorkerExit) {
        self.worker = worker
    }

    func runEnded(_ outcome: TrainingOutcome, run: TrainingRun) {
        switch outcome {
        case .completed: worker.settle(0)
        case let .stopped(signal): worker.settle(128 + signal)
        case .failed: break
        }
    }
}
