import ImageData
import Foundation

/// Runs an epoch's two passes: training (every batch forward, backward, gradients combined
/// over the workers, one optimizer update) and validation, each logged as the original
/// algorithm logs them, with figures over every worker's samples.
struct EpochRunner {
    let hp: Hyperparameters
    let job: TrainingJob
    let log: TrainingLog
    let stop: StopSignal?
    let collective: any Collective
    let session: TrainingSession
    /// TensorBoard scalars (rank 0, with a TensorBoard folder).
    let scalars: ScalarEventWriter?
    /// Batches between two batch-scalar events.
    static let batchScalarInterval = 20

    /// How a training pass ended.
    enum TrainPass {
        case completed(EpochFigures, seconds: Double)
        /// A signal arrived (on any worker); the epoch is left part-way, to run again on resume.
        case stopped(signal: Int32)
    }

    func train(_ epoch: Int) throws -> TrainPass {
        let loader = session.trainLoader, limit = session.batchLimit
        let started = Date()
        var metric = AccuracyMetric(classes: hp.numClasses, multiLabel: hp.multiLabel, topK: hp.topK)
        try loader.startEpoch(epoch)
        let batches = loader.batchesPerEpoch.map { min($0, limit) }
        var done = 0
        while done < limit, let b = try timed(.loaderWait, { try loader.next() }) {
            try step(b)
            let probabilities = session.network.training.output()
            try probabilities.withUnsafeBufferPointer { try metric.update(probabilities: $0, labels: b.labels, count: b.count) }
            done += 1
            let elapsed = Date().timeIntervalSince(started)
            log.progress(epoch: epoch, batch: done, batches: batches, imagesPerSecond: Double(done * hp.miniBatchSize) / max(elapsed, 1e-9),
                         loss: metric.meanLoss, accuracy: metric.accuracy,
                         secondsLeft: batches.map { Double($0 - done) * elapsed / Double(done) })
            if let scalars, done % Self.batchScalarInterval == 0 {
                // This worker's running figures: combining them would cost an exchange per event.
                scalars.write([("batch/loss", metric.meanLoss), ("batch/accuracy", metric.accuracy),
                               ("batch/images_per_second", Double(done * hp.miniBatchSize) / max(elapsed, 1e-9))],
                              step: session.optimizer.updateCount)
            }
            if let signal = try stopRequested() {
                log.endProgress()
                return .stopped(signal: signal)
            }
        }
        log.endProgress()
        try checkSkippedShare(epoch, trained: metric.samples)
        let seconds = Date().timeIntervalSince(started)
        let figures = try combine(metric)
        log.metric(epoch: epoch, "Train-accuracy", figures.accuracy)
        if let k = hp.topK, let v = figures.topK { log.metric(epoch: epoch, "Train-top_k_accuracy_\(k)", v) }
        log.timeCost(epoch: epoch, seconds: seconds)
        return .completed(figures, seconds: seconds)
    }

    func validate(_ epoch: Int) throws -> EpochFigures {
        let network = session.network, loader = session.validLoader
        // Training wrote the weights and moving statistics in place (optimizer steps, batch
        // statistics, weight exchanges), each moving the store's generation: the inference
        // executor refolds them once, at this pass's first batch.
        try collective.synchronizeAuxiliary(network.store)
        var metric = AccuracyMetric(classes: hp.numClasses, multiLabel: hp.multiLabel, topK: hp.topK)
        try loader.startEpoch(epoch)
        while let b = try loader.next() {
            network.inference.setData(b.data.baseAddress!)
            network.inference.forward()
            let probabilities = network.inference.output()
            try probabilities.withUnsafeBufferPointer { try metric.update(probabilities: $0, labels: b.labels, count: b.count) }
        }
        session.validationSizes.note(loader.shorterSidesInEpoch, resize: hp.resize, height: hp.imageShape[1], log: log)
        let figures = try combine(metric)
        log.metric(epoch: epoch, "Validation-accuracy", figures.accuracy)
        if let k = hp.topK, let v = figures.topK { log.metric(epoch: epoch, "Validation-top_k_accuracy_\(k)", v) }
        return figures
    }

    /// One batch: forward, backward, the gradients combined over the workers, one update.
    private func step(_ b: Batch) throws {
        let exec = session.network.training, store = session.network.store
        try BatchLabelCheck.check(b.labels, rows: b.count + b.pad, classes: hp.numClasses, multiLabel: hp.multiLabel,
                                  channel: job.train.name, sampleIndices: b.sampleIndices)
        exec.setData(b.data.baseAddress!)
        exec.setLabels(Array(b.labels))
        exec.forward()
        if collective.size > 1 {
            // Gradients go out in buckets as the backward pass completes them.
            var exchangeError: Error?
            exec.backward { names in
                guard exchangeError == nil else { return }
                do { try collective.gradientsReady(names, in: store) } catch { exchangeError = error }
            }
            if let exchangeError { throw exchangeError }
        } else {
            exec.backward()
        }
        try timed(.exchange) { try collective.reduceGradients(store) }
        try timed(.optimizer) { try session.optimizer.update(store) }
        session.state.updates = session.optimizer.updateCount
        session.state.learningRate = session.optimizer.learningRate
    }

    /// `body`, timed into the profile's `phase` when the run is profiled.
    func timed<T>(_ phase: TrainingProfile.Phase, _ body: () throws -> T) rethrows -> T {
        guard let profile = session.profile else { return try body() }
        return try profile.time(phase, body)
    }

    /// A signal on any worker stops them all at the same batch.
    private func stopRequested() throws -> Int32? {
        let received = stop?.signal
        return try collective.any(received != nil) ? received ?? SIGTERM : nil
    }

    /// With skipping allowed, a pipe's bad records are skipped as they come (without it, the
    /// first bad label already failed the epoch): their share must stay within the allowance.
    private func checkSkippedShare(_ epoch: Int, trained: Int) throws {
        let loader = session.trainLoader
        guard job.train.pipeMode, job.badLabelAllowance > 0, loader.skippedInEpoch > 0 else { return }
        let skipped = Double(loader.skippedInEpoch), seen = skipped + Double(trained)
        if skipped / seen > job.badLabelAllowance {
            throw TrainingError.badLabel("epoch \(epoch) skipped \(loader.skippedInEpoch) of \(Int(seen)) records of the \(job.train.name) pipe (invalid labels or images), more than --skip-bad-labels \(job.badLabelAllowance) allows")
        }
    }

    /// An epoch's figures over every worker's samples (each worker saw its own shard).
    private func combine(_ metric: AccuracyMetric) throws -> EpochFigures {
        let n = Double(metric.samples)
        let totals = try collective.sum([metric.accuracy * n, (metric.topKAccuracy ?? 0) * n, metric.meanLoss * n, n])
        let count = max(totals[3], 1)
        return EpochFigures(accuracy: totals[0] / count, topK: metric.topKAccuracy == nil ? nil : totals[1] / count,
                            loss: totals[2] / count, samples: totals[3])
    }
}
