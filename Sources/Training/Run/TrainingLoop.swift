import ImageData
import Foundation

/// The epoch loop, in one place: each epoch's training pass (every batch forward, backward,
/// gradients combined over the workers, one optimizer update), its validation pass, and the
/// early stop; figures are over every worker's samples. What happens around it (log lines,
/// TensorBoard scalars, checkpoints, the stop check, the report) is its observers'.
struct TrainingLoop {
    let run: TrainingRun
    /// In the order their hooks are called (see `init`).
    let observers: [any TrainingObserver]
    let policy: CheckpointPolicy

    /// The run's own observers around `injected`: the log lines, the TensorBoard scalars and
    /// the checkpoint policy first, the stop check last.
    init(run: TrainingRun, observers injected: [any TrainingObserver] = []) throws {
        self.run = run
        policy = CheckpointPolicy()
        var all: [any TrainingObserver] = [LogLines()]
        if let scalars = try TensorBoardScalars.of(run) { all.append(scalars) }
        all.append(policy)
        all += injected
        all.append(StopCheck())
        observers = all
    }

    /// How a training pass ended.
    enum TrainPass {
        case completed(EpochFigures, seconds: Double)
        /// A signal arrived (on any worker); the epoch is left part-way, to run again on resume.
        case stopped(signal: Int32)
    }

    /// Runs the epochs left, then writes the model (unless a signal stopped the run).
    func trainEpochs() throws -> TrainingResult {
        let session = run.session
        var stoppedBy: Int32?
        var earlyStopped = false

        // A resumed state may already be past `epochs` (the run asked for fewer this time).
        epochs: for epoch in session.state.nextEpoch..<max(session.state.nextEpoch, run.hp.epochs) {
            run.profile?.reset()
            switch try train(epoch) {
            case let .stopped(signal):
                for observer in observers { try observer.stopped(by: signal, inEpoch: epoch, run: run) }
                stoppedBy = signal
                break epochs
            case let .completed(train, seconds):
                let validation = try run.timed(.validation) { try validate(epoch) }
                let record = session.record(epoch: epoch, train: train, seconds: seconds, validation: validation)
                try run.timed(.checkpoint) {
                    for observer in observers { try observer.epochEnded(record, in: run) }
                }
                for line in run.profile?.lines(span: "epoch[\(epoch)]") ?? [] { run.log.info(line) }
                if policy.stopsEarly(after: epoch, in: run) {
                    earlyStopped = true
                    break epochs
                }
            }
        }

        let artifact = stoppedBy == nil ? try policy.finish(run) : nil
        let state = session.state
        return TrainingResult(history: state.history, bestValidationAccuracy: state.bestAccuracy ?? 0,
                              bestEpoch: state.bestEpoch ?? 0, artifact: artifact, stoppedBy: stoppedBy, earlyStopped: earlyStopped)
    }

    func train(_ epoch: Int) throws -> TrainPass {
        let session = run.session, hp = run.hp
        let loader = session.trainLoader, limit = session.batchLimit
        let started = Date()
        var metric = AccuracyMetric(classes: hp.numClasses, multiLabel: hp.multiLabel, topK: hp.topK)
        try loader.startEpoch(epoch)
        let batches = loader.batchesPerEpoch.map { min($0, limit) }
        var done = 0
        while done < limit, let b = try run.timed(.loaderWait, { try loader.next() }) {
            try step(b)
            let probabilities = session.network.training.output()
            try probabilities.withUnsafeBufferPointer { try metric.update(probabilities: $0, labels: b.labels, count: b.count) }
            done += 1
            let elapsed = Date().timeIntervalSince(started)
            let end = BatchEnd(epoch: epoch, batch: done, batches: batches, elapsed: elapsed,
                               imagesPerSecond: Double(done * hp.miniBatchSize) / max(elapsed, 1e-9),
                               loss: metric.meanLoss, accuracy: metric.accuracy, updates: session.optimizer.updateCount)
            do {
                for observer in observers { try observer.batchEnded(end, in: run) }
            } catch let stop as StoppedBySignal {
                for observer in observers { observer.batchesEnded(epoch: epoch, in: run) }
                return .stopped(signal: stop.signal)
            }
        }
        for observer in observers { observer.batchesEnded(epoch: epoch, in: run) }
        try checkSkippedShare(epoch, trained: metric.samples)
        let seconds = Date().timeIntervalSince(started)
        let figures = try combine(metric)
        for observer in observers { observer.trainingPassEnded(epoch: epoch, figures: figures, seconds: seconds, in: run) }
        return .completed(figures, seconds: seconds)
    }

    func validate(_ epoch: Int) throws -> EpochFigures {
        let session = run.session, hp = run.hp
        let network = session.network, loader = session.validLoader
        // Training wrote the weights and moving statistics in place (optimizer steps, batch
        // statistics, weight exchanges), each moving the store's generation: the inference
        // executor refolds them once, at this pass's first batch.
        try run.collective.synchronizeAuxiliary(network.store)
        var metric = AccuracyMetric(classes: hp.numClasses, multiLabel: hp.multiLabel, topK: hp.topK)
        try loader.startEpoch(epoch)
        while let b = try loader.next() {
            network.inference.setData(b.data.baseAddress!)
            try network.inference.forward()
            let probabilities = network.inference.output()
            try probabilities.withUnsafeBufferPointer { try metric.update(probabilities: $0, labels: b.labels, count: b.count) }
        }
        session.validationSizes.note(loader.shorterSidesInEpoch, resize: hp.resize, height: hp.imageShape[1], log: run.log)
        let figures = try combine(metric)
        for observer in observers { observer.validationEnded(epoch: epoch, figures: figures, in: run) }
        return figures
    }

    /// One batch: forward, backward, the gradients combined over the workers, one update.
    private func step(_ b: Batch) throws {
        let session = run.session, hp = run.hp, collective = run.collective
        let exec = session.network.training, store = session.network.store
        try BatchLabelCheck.check(b.labels, rows: b.count + b.pad, classes: hp.numClasses, multiLabel: hp.multiLabel,
                                  channel: run.job.train.name, sampleIndices: b.sampleIndices)
        exec.setData(b.data.baseAddress!)
        exec.setLabels(Array(b.labels))
        try exec.forward()
        if collective.size > 1 {
            // Gradients go out in buckets as the backward pass completes them.
            var exchangeError: Error?
            try exec.backward { names in
                guard exchangeError == nil else { return }
                do { try collective.gradientsReady(names, in: store) } catch { exchangeError = error }
            }
            if let exchangeError { throw exchangeError }
        } else {
            try exec.backward()
        }
        try run.timed(.exchange) { try collective.reduceGradients(store) }
        try run.timed(.optimizer) { try session.optimizer.update(store) }
        session.state.updates = session.optimizer.updateCount
        session.state.learningRate = session.optimizer.learningRate
    }

    /// With skipping allowed, a pipe's bad records are skipped as they come (without it, the
    /// first bad label already failed the epoch): their share must stay within the allowance.
    private func checkSkippedShare(_ epoch: Int, trained: Int) throws {
        let loader = run.session.trainLoader, job = run.job
        guard job.train.pipeMode, job.badLabelAllowance > 0, loader.skippedInEpoch > 0 else { return }
        let skipped = Double(loader.skippedInEpoch), seen = skipped + Double(trained)
        if skipped / seen > job.badLabelAllowance {
            throw TrainingError.badLabel("epoch \(epoch) skipped \(loader.skippedInEpoch) of \(Int(seen)) records of the \(job.train.name) pipe (invalid labels or images), more than --skip-bad-labels \(job.badLabelAllowance) allows")
        }
    }

    /// An epoch's figures over every worker's samples (each worker saw its own shard).
    private func combine(_ metric: AccuracyMetric) throws -> EpochFigures {
        let n = Double(metric.samples)
        let totals = try run.collective.sum([metric.accuracy * n, (metric.topKAccuracy ?? 0) * n, metric.meanLoss * n, n])
        let count = max(totals[3], 1)
        return EpochFigures(accuracy: totals[0] / count, topK: metric.topKAccuracy == nil ? nil : totals[1] / count,
                            loss: totals[2] / count, samples: totals[3])
    }
}
