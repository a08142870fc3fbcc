import Glibc

/// The stop signal's check after every batch: a signal on any worker stops them all at the
/// same batch, so the check is an exchange every worker makes, signal or not. Always the
/// loop's last batch observer, so every other one has seen the batch a stop ends at.
final class StopCheck: TrainingObserver {
    func batchEnded(_ batch: BatchEnd, in run: TrainingRun) throws {
        let received = run.stop?.signal
        if try run.collective.any(received != nil) {
            throw StoppedBySignal(signal: received ?? SIGTERM)
        }
    }
}
