import Foundation
import Models

/// What is saved when: after every epoch a checkpoint (every `checkpoint_frequency` epochs,
/// or, without it, only the best validation epoch's, replacing the previous best) and the
/// training state; on a signal the state alone; early stopping when validation stops
/// improving; at the end the packed model. Rank 0 alone writes.
///
/// The epoch's and the signal's saves are observer hooks; the loop asks it directly whether
/// to stop early and for the packed model.
final class CheckpointPolicy: TrainingObserver {
    /// Saves what the epoch earned (its validation accuracy), then the state.
    func epochEnded(_ record: EpochRecord, in run: TrainingRun) throws {
        let epoch = record.epoch, accuracy = record.validationAccuracy
        let session = run.session, hp = run.hp, files = RunFiles(run: run)
        let best = session.state.bestAccuracy
        let isBest = best.map { accuracy > $0 } ?? true
        // Early stopping's notion: better than the best by at least the tolerance.
        let improved = best.map { b in b <= 0 ? accuracy > b : (accuracy - b) / b >= hp.earlyStoppingTolerance && accuracy > b } ?? true
        var replaced: Int?
        if let frequency = hp.checkpointFrequency {
            if (epoch + 1) % frequency == 0 && run.isRoot {
                try files.writeCheckpoint(epoch: epoch + 1)
                run.log.info("Saved checkpoint to \"\(files.checkpointURL(epoch: epoch + 1).path)\"")
            }
        } else if run.isRoot && isBest {
            run.log.info("Storing the best model with validation accuracy: \(String(format: "%f", accuracy))")
            replaced = try files.writeCheckpoint(epoch: epoch + 1, replacing: session.state.bestEpoch.map { $0 + 1 })
        }
        if isBest {
            session.state.bestEpoch = epoch
            session.state.bestAccuracy = accuracy
        }
        session.state.epochsWithoutImprovement = improved ? 0 : session.state.epochsWithoutImprovement + 1
        session.state.nextEpoch = epoch + 1
        try files.saveState()
        // Only now that the saved state no longer lists it: a kill before this keeps it.
        if let replaced { files.prune(epoch: replaced) }
    }

    /// SIGTERM/SIGINT in epoch `epoch`: the weights of the partial epoch are kept, and the
    /// epoch is run again on resume.
    func stopped(by signal: Int32, inEpoch epoch: Int, run: TrainingRun) throws {
        let files = RunFiles(run: run)
        run.session.state.nextEpoch = epoch
        try files.saveState()
        run.log.info("Stopped by signal \(signal) in epoch \(epoch); state saved\(files.checkpointDir.map { " to \($0.path)" } ?? "")")
    }

    /// Whether early stopping ends the run after epoch `epoch` (and says so).
    func stopsEarly(after epoch: Int, in run: TrainingRun) -> Bool {
        let state = run.session.state, hp = run.hp
        guard hp.earlyStopping && epoch + 1 >= hp.earlyStoppingMinEpochs
            && state.epochsWithoutImprovement >= hp.earlyStoppingPatience else { return false }
        run.log.info("Early stopping: validation accuracy has not improved for \(state.epochsWithoutImprovement) epochs (best \(String(format: "%f", state.bestAccuracy ?? 0)) at epoch \(state.bestEpoch ?? 0))")
        return true
    }

    /// The end of a run that was not stopped: the model, written and packed (rank 0).
    func finish(_ run: TrainingRun) throws -> URL? {
        guard run.isRoot else { return nil }
        let artifact = try RunFiles(run: run).pack()
        let state = run.session.state
        run.log.info("Best validation accuracy \(String(format: "%f", state.bestAccuracy ?? 0)) at epoch \(state.bestEpoch ?? 0); model written to \(artifact.path)")
        return artifact
    }
}
