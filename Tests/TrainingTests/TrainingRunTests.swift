import Foundation
import Glibc
import Models
import TestFixtures
import Testing
import Training

/// A run's pieces without the binary: the observers' hooks, in the loop's order, and the
/// outcome `TrainingRun.execute` ends in (completed, stopped by a signal, failed).
@Suite(.serialized, .removesTemporaryFolders)
struct TrainingRunTests {
    /// Writes down each hook as it is called (a batch's hook once per run of batches).
    final class HookRecorder: TrainingObserver {
        var hooks: [String] = []
        /// Whether each epoch's checkpoint was in the output folder when its hook ran.
        var checkpointWritten: [Bool] = []

        private func note(_ hook: String) {
            if hooks.last != hook { hooks.append(hook) }
        }

        func batchEnded(_ batch: BatchEnd, in run: TrainingRun) { note("batchEnded(\(batch.epoch))") }
        func batchesEnded(epoch: Int, in run: TrainingRun) { note("batchesEnded(\(epoch))") }
        func trainingPassEnded(epoch: Int, figures: EpochFigures, seconds: Double, in run: TrainingRun) { note("trainingPassEnded(\(epoch))") }
        func validationEnded(epoch: Int, figures: EpochFigures, in run: TrainingRun) { note("validationEnded(\(epoch))") }
        func epochEnded(_ record: EpochRecord, in run: TrainingRun) {
            note("epochEnded(\(record.epoch))")
            checkpointWritten.append(ModelArtifact.holds(ModelArtifact.paramsFileName(epoch: record.epoch + 1), in: run.job.outputDir))
        }
        func stopped(by signal: Int32, inEpoch epoch: Int, run: TrainingRun) { note("stopped(\(signal), \(epoch))") }
        func runEnded(_ outcome: TrainingOutcome, run: TrainingRun) {
            switch outcome {
            case .completed: note("runEnded(completed)")
            case let .stopped(signal): note("runEnded(stopped \(signal))")
            case .failed: note("runEnded(failed)")
            }
        }
    }

    /// ResNet-20 on 40 digits in batches of 20, validated on 20, for `epochs` epochs.
    func tinyJob(epochs: Int = 2, checkpointFrequency: Int? = 1) throws -> TrainingJob {
        var extra = ["epochs": String(epochs), "mini_batch_size": "20"]
        if let checkpointFrequency { extra["checkpoint_frequency"] = String(checkpointFrequency) }
        let hp = try MNISTSample.hyperparameters(extra, trainCount: 40)
        return TrainingJob(hyperparameters: hp, train: Channel(name: "train", path: try MNISTSample.subset("train", perClass: 4)),
                           validation: Channel(name: "validation", path: try MNISTSample.subset("validation", perClass: 2)),
                           outputDir: MNISTSample.temporaryFolder("model"), checkpointDir: MNISTSample.temporaryFolder("ckpt"),
                           loaderThreads: 1, seed: 3)
    }

    @Test func observersHearEachEpochInTheLoopsOrderAndTheEndAfterTheWorkersParted() throws {
        let job = try tinyJob()
        let recorder = HookRecorder(), lines = MNISTSample.Lines()
        var parted = false
        let outcome = TrainingRun.execute(hyperparameters: { job.hyperparameters }, connect: { _ in SingleProcess() },
                                          job: { _ in job },
                                          disconnect: { _ in
                                              parted = true
                                              recorder.hooks.append("disconnect")
                                          },
                                          stop: nil, log: lines.log, observers: [recorder])
        guard case let .completed(result) = outcome else {
            Issue.record("outcome \(outcome)")
            return
        }
        #expect(parted)
        #expect(result.history.count == 2)
        #expect(recorder.hooks == [
            "batchEnded(0)", "batchesEnded(0)", "trainingPassEnded(0)", "validationEnded(0)", "epochEnded(0)",
            "batchEnded(1)", "batchesEnded(1)", "trainingPassEnded(1)", "validationEnded(1)", "epochEnded(1)",
            "disconnect", "runEnded(completed)",
        ])
        // The run's own observers come first: an epoch's checkpoint is written by its hook.
        #expect(recorder.checkpointWritten == [true, true])
        // The log's lines keep their order within an epoch.
        let kinds = ["Epoch[0] Batch", "Epoch[0] Train-accuracy", "Epoch[0] Time cost", "Epoch[0] Validation-accuracy", "Saved checkpoint"]
        let firstEpoch = lines.all.prefix { !$0.hasPrefix("Epoch[1]") }.compactMap { line in kinds.first { line.hasPrefix($0) } }
        #expect(firstEpoch == kinds)
    }

    @Test func aRaisedStopSignalEndsInStoppedWithTheStateSaved() throws {
        let job = try tinyJob(epochs: 3)
        let stop = StopSignal(signals: [], relaying: [:])
        stop.raise(SIGTERM)
        let recorder = HookRecorder()
        var parted = false
        let outcome = TrainingRun.execute(hyperparameters: { job.hyperparameters }, connect: { _ in SingleProcess() },
                                          job: { _ in job }, disconnect: { _ in parted = true },
                                          stop: stop, log: MNISTSample.Lines().log, observers: [recorder])
        guard case let .stopped(signal) = outcome else {
            Issue.record("outcome \(outcome)")
            return
        }
        #expect(signal == SIGTERM)
        #expect(parted)
        #expect(recorder.hooks == ["batchEnded(0)", "batchesEnded(0)", "stopped(\(SIGTERM), 0)", "runEnded(stopped \(SIGTERM))"])
        let checkpoints = try #require(job.checkpointDir)
        let saved = try #require(try TrainingState.load(from: checkpoints)).0
        #expect(saved.nextEpoch == 0 && saved.updates == 1)
    }

    @Test func aFailureBeforeTheRunIsSetUpEndsInFailedWithoutParting() throws {
        struct Unreadable: Error {}
        let job = try tinyJob()
        let recorder = HookRecorder()
        var connected = false, parted = false
        let outcome = TrainingRun.execute(hyperparameters: { job.hyperparameters },
                                          connect: { _ in
                                              connected = true
                                              return SingleProcess()
                                          },
                                          job: { _ in throw Unreadable() }, disconnect: { _ in parted = true },
                                          stop: nil, log: MNISTSample.Lines().log, observers: [recorder])
        guard case let .failed(error) = outcome else {
            Issue.record("outcome \(outcome)")
            return
        }
        #expect(error is Unreadable)
        #expect(connected && !parted)
        #expect(recorder.hooks.isEmpty)
    }
}
