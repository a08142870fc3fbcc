import Foundation
import Training

/// Writes `report.html` at the end of a training run that completed (not one a signal
/// stopped), on rank 0, after the workers have parted (none waits on it): the observer
/// `imgclf train` passes to `TrainingRun.execute` unless `--no-report`. The model is written
/// by then: a report that cannot be made is a warning, and the job still succeeds.
public final class TrainingReportObserver: TrainingObserver {
    private let say: (String) -> Void

    /// `say` receives the report's lines (standard output by default, beside the log).
    public init(say: @escaping (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.say = say
    }

    public func runEnded(_ outcome: TrainingOutcome, run: TrainingRun) {
        guard case let .completed(result) = outcome, run.isRoot else { return }
        do {
            try TrainingReport.write(job: run.job, result: result, log: say)
        } catch {
            say("warning: no \(TrainingReport.fileName): \(error)")
        }
    }
}
