/// A whole training job as a process runs it, from reading the job to parting from the
/// other workers, ending in an outcome instead of an error: the command layer only says
/// what the job is and how the workers connect, and turns the outcome into an exit code.
extension TrainingRun {
    /// Reads the hyperparameters, connects the workers, reads the job, sets the run up and
    /// trains it with `observers` beside the run's own; then, unless it failed, parts from
    /// the workers and tells every observer how the run ended (`runEnded`). Each step runs
    /// only when the ones before it succeeded.
    ///
    /// - Parameters:
    ///   - hyperparameters: the job's hyperparameters, read and checked.
    ///   - connect: the workers' collective for them (its errors fail the run).
    ///   - job: the job for them, read once the workers are connected.
    ///   - disconnect: parts from the workers after the run; after a completed run its
    ///     error fails the run, after a stop it is ignored (the state is saved by then).
    public static func execute(hyperparameters: () throws -> Hyperparameters,
                               connect: (Hyperparameters) throws -> any Collective,
                               job: (Hyperparameters) throws -> TrainingJob,
                               disconnect: (any Collective) throws -> Void,
                               stop: StopSignal?, log: TrainingLog = TrainingLog(),
                               observers: [any TrainingObserver] = []) -> TrainingOutcome {
        var run: TrainingRun?
        let outcome: TrainingOutcome
        do {
            let hp = try hyperparameters()
            let collective = try connect(hp)
            let started = try TrainingRun(job: try job(hp), log: log, stop: stop, collective: collective)
            run = started
            let result = try TrainingLoop(run: started, observers: observers).trainEpochs()
            outcome = try parting(collective, after: result, disconnect)
        } catch {
            outcome = .failed(error)
        }
        if let run {
            for observer in observers { observer.runEnded(outcome, run: run) }
        }
        return outcome
    }

    /// Parts from the workers after a run that ended in `result`.
    private static func parting(_ collective: any Collective, after result: TrainingResult,
                                _ disconnect: (any Collective) throws -> Void) throws -> TrainingOutcome {
        if let signal = result.stoppedBy {
            // The state is saved: a failure to part cleanly does not undo the stop.
            try? disconnect(collective)
            return .stopped(signal: signal)
        }
        // After the workers' last barrier: what comes next (the report) keeps no one waiting.
        try disconnect(collective)
        return .completed(result)
    }
}
