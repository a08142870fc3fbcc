import Compute
import Data
import Foundation
import Graph
import Models

/// A training job: the channels, the hyperparameters, and where results go.
public struct TrainingJob: Sendable {
    public var hyperparameters: Hyperparameters
    public var train: Channel
    public var validation: Channel
    /// Incremental training: an earlier model (`model.tar.gz` or folder).
    public var model: URL?
    /// Folder with MXNet model-zoo checkpoints (`resnet-N-symbol.json`, `resnet-N-0000.params`).
    public var pretrainedModelDir: URL?
    /// Model files and `model.tar.gz` go here.
    public var outputDir: URL
    /// Whether `model.tar.gz` is packed in `outputDir`. A job folder leaves the plain files:
    /// the service packs `/opt/ml/model` itself, so an archive there would end up nested.
    public var packsArchive: Bool = true
    /// The fraction of a channel's records whose invalid labels may be skipped; more, or any
    /// at the default 0, fails the job naming the first bad records.
    public var badLabelAllowance: Double = 0
    /// State for resuming; a job started again with the same folder goes on from it.
    public var checkpointDir: URL?
    /// Decoding threads; default: the cores.
    public var loaderThreads: Int
    public var seed: UInt64

    public init(hyperparameters: Hyperparameters, train: Channel, validation: Channel, model: URL? = nil,
                pretrainedModelDir: URL? = nil, outputDir: URL, checkpointDir: URL? = nil,
                loaderThreads: Int = ProcessInfo.processInfo.activeProcessorCount, seed: UInt64 = 0) {
        self.hyperparameters = hyperparameters
        self.train = train
        self.validation = validation
        self.model = model
        self.pretrainedModelDir = pretrainedModelDir
        self.outputDir = outputDir
        self.checkpointDir = checkpointDir
        self.loaderThreads = loaderThreads
        self.seed = seed
    }
}

/// How a training run ended.
public struct TrainingResult: Sendable {
    public var history: [EpochRecord]
    public var bestValidationAccuracy: Double
    public var bestEpoch: Int
    public var artifact: URL?
    /// Set when SIGTERM/SIGINT stopped the run (its state was saved first).
    public var stoppedBy: Int32?
    public var earlyStopped: Bool
}

/// Runs a training job: validates everything first, then trains epoch by epoch with the
/// original algorithm's log, checkpoints, early stopping and artifact.
public final class Trainer {
    let job: TrainingJob
    let hp: Hyperparameters
    let log: TrainingLog
    let stop: StopSignal?
    let collective: any Collective
    /// Rank 0 writes the log, checkpoints, state and artifact; the others only train.
    var isRoot: Bool { collective.rank == 0 }
    /// Without `resize`: the shorter side all validation images had (the artifact's
    /// preprocessing.json, which the endpoint resizes to), nil when they varied.
    var validationShorterSide: Int?
    var warnedMixedValidationSizes = false

    public init(job: TrainingJob, log: TrainingLog = TrainingLog(), stop: StopSignal? = nil,
                collective: any Collective = SingleProcess()) {
        self.job = job
        self.hp = job.hyperparameters
        self.log = collective.rank == 0 ? log : TrainingLog(interactive: false, progressInterval: .infinity, write: { _ in })
        self.stop = stop
        self.collective = collective
    }

    public func run() throws -> TrainingResult {
        let labels = LabelSpec(numClasses: hp.numClasses, multiLabel: hp.multiLabel)
        let batch = hp.miniBatchSize
        let imageShape = hp.imageShape

        // 0. Where results go, proved writable before any work (rank 0 alone writes).
        if isRoot {
            try WritableFolder.prepare(job.outputDir, role: "output")
            if let dir = job.checkpointDir { try WritableFolder.prepare(dir, role: "checkpoint") }
        }

        // 1. Data, validated before any work (pipe-mode channels are streams, read per epoch).
        let train = try job.train.pipeMode ? nil : audited(job.train.open(labels: labels), channel: job.train.name)
        let validation = try job.validation.pipeMode ? nil : audited(job.validation.open(labels: labels), channel: job.validation.name)
        if let train {
            guard train.source.count >= batch else {
                throw TrainingError.tooFewImages(channel: job.train.name, found: train.source.count, miniBatchSize: batch)
            }
            if train.source.count != hp.numTrainingSamples {
                log.info("warning: num_training_samples is \(hp.numTrainingSamples) but the \(job.train.name) channel has \(train.source.count) images; learning-rate steps use num_training_samples")
            }
        }

        // 2. The network and its weights.
        let symbol = try Models.ResNet.symbol(numLayers: hp.numLayers, imageShape: imageShape, numClasses: hp.numClasses,
                                              multiLabel: hp.multiLabel)
        let store = ParameterStore()
        // precision_dtype=float16 means bf16 mixed precision on CPUs (float32 master weights).
        var precision = Precision.float32
        if hp.precisionDtype == .float16 {
            if DNNL.supportsBFloat16 {
                precision = .bfloat16
                log.info("precision_dtype=float16: training in bfloat16 mixed precision on this CPU (float32 master weights, statistics and loss)")
            } else {
                log.info("precision_dtype=float16: this CPU has no bfloat16 instructions; training in float32")
            }
        }
        let trainExec = try Executor(symbol: symbol, parameters: store, dataShape: [batch] + imageShape, mode: .training, precision: precision)
        let validExec = try Executor(symbol: symbol, parameters: store, dataShape: [batch] + imageShape, mode: .inference, precision: precision)
        Initializer.xavier(store, seed: job.seed &+ 1)
        var classNames = train.map { $0.classNames.count == hp.numClasses ? $0.classNames : nil } ?? nil
        if let model = job.model {
            classNames = try loadIncremental(model, store: store) ?? classNames
        } else if hp.usePretrainedModel {
            try loadPretrained(store: store)
        }
        if hp.useWeightedLoss && !hp.multiLabel {
            // The service documents it as used only with multi_label=1, and accepts it otherwise.
            log.info("warning: use_weighted_loss=1 applies to multi-label training only (multi_label=1); ignored for this single-label job")
        }
        if hp.multiLabel && hp.useWeightedLoss {
            guard let train else { throw TrainingError.unsupported("use_weighted_loss=1 needs the label distribution, which a Pipe-mode channel cannot give before training; use File mode") }
            trainExec.setClassWeights(try classWeights(train.source))
        }

        // 3. Optimizer, schedule, resume.
        // Gradients are averaged over the global batch (MXNet's Module multiplies the batch
        // by the workers under dist_sync) and summed over workers by the collective.
        let optimizer = makeOptimizer(hp, rescaleGrad: 1 / Float(batch * collective.size))
        optimizer.schedule = LearningRateSchedule(hyperparameters: hp, machines: collective.size)
        var state = TrainingState(nextEpoch: 0, updates: 0, learningRate: Float(hp.learningRate), bestAccuracy: nil, bestEpoch: nil,
                                  epochsWithoutImprovement: 0, history: [], numLayers: hp.numLayers, imageShape: imageShape,
                                  numClasses: hp.numClasses, multiLabel: hp.multiLabel, checkpoints: [])
        if let dir = job.checkpointDir, let (saved, arrays) = try TrainingState.load(from: dir) {
            guard saved.numLayers == hp.numLayers, saved.imageShape == imageShape, saved.numClasses == hp.numClasses,
                  saved.multiLabel == hp.multiLabel else {
                throw TrainingError.badCheckpoint("\(dir.path) holds a run of another network (num_layers \(saved.numLayers), image_shape \(saved.imageShape.map(String.init).joined(separator: ",")), num_classes \(saved.numClasses)); use another checkpoint folder")
            }
            try store.load(arrays.filter { !$0.name.hasPrefix("opt:") }, source: dir.appendingPathComponent(TrainingState.paramsName).path, requireAll: true)
            try optimizer.loadState(arrays.filter { $0.name.hasPrefix("opt:") }, parameters: store)
            state = saved
            log.info("Resuming from \(dir.path): epoch \(saved.nextEpoch), \(saved.updates) updates done")
            if saved.nextEpoch > hp.epochs {
                log.info("The state in \(dir.path) has already run \(saved.nextEpoch) epochs, more than epochs=\(hp.epochs): no epoch is left to run, so the model is written from what that run saved. To train a shorter run, use an empty checkpoint folder.")
            }
        }
        if isRoot && !job.packsArchive { try refuseFilesOfAnotherRun(listed: state.checkpoints ?? []) }
        try collective.broadcastParameters(store)

        // 4. Loaders: each worker reads its own shard. A ShardedByS3Key channel already holds
        // only this host's files: it is read whole, not sharded again.
        let threads = max(1, job.loaderThreads)
        let warn: @Sendable (String) -> Void = { [log] in log.info("warning: " + $0) }
        func shard(_ channel: Channel) -> (rank: Int, workers: Int) {
            channel.preSharded ? (0, 1) : (collective.rank, collective.size)
        }
        let trainConfig = LoaderConfig(batchSize: batch, threads: threads, seed: job.seed, shuffle: true, rank: shard(job.train).rank,
                                       workers: shard(job.train).workers, labelWidth: labels.width, skipBadImages: true, warn: warn)
        let validConfig = LoaderConfig(batchSize: batch, threads: threads, seed: job.seed, shuffle: false, rank: shard(job.validation).rank,
                                       workers: shard(job.validation).workers, labelWidth: labels.width, skipBadImages: true, warn: warn)
        let trainAugmenter = Augmenter(imageShape: imageShape, resize: hp.resize,
                                       params: .training(hp.augmentationType))
        // Validation preprocesses as MXNet's ImageRecordIter does: shorter side to `resize`
        // when set, then a centre crop (from the full-size image when resize is unset). The
        // endpoint resizes to `resize`, or to the one shorter side validation's images had
        // (noteValidationSizes), so it gives images like validation's the same input.
        let validAugmenter = Augmenter(imageShape: imageShape, resize: hp.resize, params: .none)
        // In Pipe mode labels are checked as records arrive: a bad one fails the epoch unless
        // skipping is allowed (then the epoch's skipped share is checked against the allowance).
        func strict(_ channel: Channel) -> Channel {
            var c = channel
            c.badLabelsFail = job.badLabelAllowance == 0
            return c
        }
        let trainChannel = strict(job.train), validChannel = strict(job.validation)
        let trainLoader = try train.map { try BatchLoader(source: $0.source, augmenter: trainAugmenter, config: trainConfig) }
            ?? BatchLoader(stream: { try trainChannel.stream(epoch: $0, labels: labels) }, augmenter: trainAugmenter, config: trainConfig)
        let validLoader = try validation.map { try BatchLoader(source: $0.source, augmenter: validAugmenter, config: validConfig) }
            ?? BatchLoader(stream: { try validChannel.stream(epoch: $0, labels: labels) }, augmenter: validAugmenter, config: validConfig)
        let trainCount = train.map { "\($0.source.count) images" } ?? "a pipe"
        let validCount = validation.map { "\($0.source.count)" } ?? "a pipe"

        log.info("Training ResNet-\(hp.numLayers) on \(trainCount) (\(job.train.name)), validating on \(validCount)\(collective.size > 1 ? ", \(collective.size) workers" : ""); image_shape \(imageShape.map(String.init).joined(separator: ",")), \(hp.numClasses) classes\(hp.multiLabel ? " (multi-label)" : ""), mini_batch_size \(batch), \(hp.epochs) epochs")

        let batchLimit = try agreedBatches(trainLoader.batchesPerEpoch, preSharded: job.train.preSharded)

        var trainMetric = AccuracyMetric(classes: hp.numClasses, multiLabel: hp.multiLabel, topK: hp.topK)
        var validMetric = trainMetric
        var earlyStopped = false
        var stoppedBy: Int32?

        // A resumed state may already be past `epochs` (the run asked for fewer this time).
        epochs: for epoch in state.nextEpoch..<max(state.nextEpoch, hp.epochs) {
            let started = Date()
            trainMetric.reset()
            try trainLoader.startEpoch(epoch)
            let batches = trainLoader.batchesPerEpoch.map { min($0, batchLimit) }
            var done = 0
            while done < batchLimit, let b = try trainLoader.next() {
                try BatchLabelCheck.check(b.labels, rows: b.count + b.pad, classes: hp.numClasses, multiLabel: hp.multiLabel,
                                          channel: job.train.name, sampleIndices: b.sampleIndices)
                trainExec.setData(b.data.baseAddress!)
                trainExec.setLabels(Array(b.labels))
                trainExec.forward()
                if collective.size > 1 {
                    // Gradients go out in buckets as the backward pass completes them.
                    var exchangeError: Error?
                    trainExec.backward { names in
                        guard exchangeError == nil else { return }
                        do { try self.collective.gradientsReady(names, in: store) } catch { exchangeError = error }
                    }
                    if let exchangeError { throw exchangeError }
                } else {
                    trainExec.backward()
                }
                try collective.reduceGradients(store)
                optimizer.update(store)
                state.updates = optimizer.updateCount
                state.learningRate = optimizer.learningRate
                let probabilities = trainExec.output()
                try probabilities.withUnsafeBufferPointer { try trainMetric.update(probabilities: $0, labels: b.labels, count: b.count) }
                done += 1
                let elapsed = Date().timeIntervalSince(started)
                log.progress(epoch: epoch, batch: done, batches: batches, imagesPerSecond: Double(done * batch) / max(elapsed, 1e-9),
                             loss: trainMetric.meanLoss, accuracy: trainMetric.accuracy,
                             secondsLeft: batches.map { Double($0 - done) * elapsed / Double(done) })
                // A signal on any worker stops them all at the same batch.
                let received = stop?.signal
                if try collective.any(received != nil) {
                    let s = received ?? SIGTERM
                    // Keep the weights of this partial epoch; the epoch is run again on resume.
                    state.nextEpoch = epoch
                    try saveState(state, store: store, optimizer: optimizer)
                    log.endProgress()
                    log.info("Stopped by signal \(s) in epoch \(epoch); state saved\(job.checkpointDir.map { " to \($0.path)" } ?? "")")
                    stoppedBy = s
                    break epochs
                }
            }
            log.endProgress()
            // With skipping allowed, a pipe's bad records are skipped as they come (without it,
            // the first bad label already failed the epoch): their share must stay within it.
            if job.train.pipeMode, job.badLabelAllowance > 0, trainLoader.skippedInEpoch > 0 {
                let skipped = Double(trainLoader.skippedInEpoch), seen = skipped + Double(trainMetric.samples)
                if skipped / seen > job.badLabelAllowance {
                    throw TrainingError.badLabel("epoch \(epoch) skipped \(trainLoader.skippedInEpoch) of \(Int(seen)) records of the \(job.train.name) pipe (invalid labels or images), more than --skip-bad-labels \(job.badLabelAllowance) allows")
                }
            }
            let seconds = Date().timeIntervalSince(started)
            let trainFigures = try combine(trainMetric)
            log.metric(epoch: epoch, "Train-accuracy", trainFigures.accuracy)
            if let k = hp.topK, let v = trainFigures.topK { log.metric(epoch: epoch, "Train-top_k_accuracy_\(k)", v) }
            log.timeCost(epoch: epoch, seconds: seconds)

            try collective.synchronizeAuxiliary(store)
            validMetric.reset()
            try validLoader.startEpoch(epoch)
            while let b = try validLoader.next() {
                validExec.setData(b.data.baseAddress!)
                validExec.forward()
                let probabilities = validExec.output()
                try probabilities.withUnsafeBufferPointer { try validMetric.update(probabilities: $0, labels: b.labels, count: b.count) }
            }
            noteValidationSizes(validLoader.shorterSidesInEpoch, height: imageShape[1])
            let validFigures = try combine(validMetric)
            let accuracy = validFigures.accuracy
            log.metric(epoch: epoch, "Validation-accuracy", accuracy)
            if let k = hp.topK, let v = validFigures.topK { log.metric(epoch: epoch, "Validation-top_k_accuracy_\(k)", v) }

            state.history.append(EpochRecord(epoch: epoch, trainAccuracy: trainFigures.accuracy, trainTopKAccuracy: trainFigures.topK,
                                             validationAccuracy: accuracy, validationTopKAccuracy: validFigures.topK,
                                             trainLoss: trainFigures.loss, seconds: seconds, learningRate: state.learningRate,
                                             skippedImages: trainLoader.skippedInEpoch))
            // Checkpoints: every checkpoint_frequency epochs, or the best epoch only.
            var replaced: [URL] = []
            let improved = state.bestAccuracy.map { best in best <= 0 ? accuracy > best : (accuracy - best) / best >= hp.earlyStoppingTolerance && accuracy > best } ?? true
            if let frequency = hp.checkpointFrequency {
                if (epoch + 1) % frequency == 0 && isRoot {
                    try writeCheckpoint(symbol: symbol, store: store, epoch: epoch + 1, classNames: classNames, state: &state)
                    log.info("Saved checkpoint to \"\(job.outputDir.appendingPathComponent(ModelArtifact.paramsFileName(epoch: epoch + 1)).path)\"")
                }
            } else if isRoot && (state.bestAccuracy == nil || accuracy > state.bestAccuracy!) {
                log.info("Storing the best model with validation accuracy: \(String(format: "%f", accuracy))")
                replaced = try writeCheckpoint(symbol: symbol, store: store, epoch: epoch + 1, classNames: classNames, state: &state,
                                               replacing: state.bestEpoch.map { $0 + 1 })
            }
            if state.bestAccuracy == nil || accuracy > state.bestAccuracy! {
                state.bestEpoch = epoch
                state.bestAccuracy = accuracy
            }
            state.epochsWithoutImprovement = improved ? 0 : state.epochsWithoutImprovement + 1
            state.nextEpoch = epoch + 1
            try saveState(state, store: store, optimizer: optimizer)
            // Only now that the saved state no longer lists it: a kill before this keeps it.
            for file in replaced { try? FileManager.default.removeItem(at: file) }

            if hp.earlyStopping && epoch + 1 >= hp.earlyStoppingMinEpochs
                && state.epochsWithoutImprovement >= hp.earlyStoppingPatience {
                log.info("Early stopping: validation accuracy has not improved for \(state.epochsWithoutImprovement) epochs (best \(String(format: "%f", state.bestAccuracy ?? 0)) at epoch \(state.bestEpoch ?? 0))")
                earlyStopped = true
                break
            }
        }

        var artifact: URL?
        if stoppedBy == nil && isRoot {
            artifact = try packArtifact(symbol: symbol, store: store, classNames: classNames, state: &state)
            log.info("Best validation accuracy \(String(format: "%f", state.bestAccuracy ?? 0)) at epoch \(state.bestEpoch ?? 0); model written to \(artifact!.path)")
        }
        return TrainingResult(history: state.history, bestValidationAccuracy: state.bestAccuracy ?? 0,
                              bestEpoch: state.bestEpoch ?? 0, artifact: artifact, stoppedBy: stoppedBy, earlyStopped: earlyStopped)
    }

    /// Batches each worker trains per epoch. Workers exchange gradients after every batch,
    /// so all must run the same number: hosts given different files (ShardedByS3Key) run
    /// the smallest host's count, and say so.
    func agreedBatches(_ mine: Int?, preSharded: Bool) throws -> Int {
        guard let mine, preSharded, collective.size > 1 else { return Int.max }
        var slots = [Double](repeating: 0, count: collective.size)
        slots[collective.rank] = Double(mine)
        let counts = try collective.sum(slots).map { Int($0) }
        let fewest = counts.min() ?? mine
        if counts.contains(where: { $0 != fewest }) {
            log.info("warning: the hosts' ShardedByS3Key shards make \(counts.map(String.init).joined(separator: ", ")) batches; each epoch runs \(fewest) on every host (the rest of the larger shards is reached in later epochs' shuffles)")
        }
        return fewest
    }

    /// A `.rec` channel with its labels checked: records with invalid labels fail the job,
    /// unless they are at most `badLabelAllowance` of it, in which case they are left out.
    func audited(_ opened: Channel.Opened, channel: String) throws -> Channel.Opened {
        guard opened.source is RecordFileSource else { return opened }
        let audit = LabelAudit.run(opened.source)
        guard !audit.bad.isEmpty else { return opened }
        let share = String(format: "%.2f%%", audit.badFraction * 100)
        guard audit.badFraction <= job.badLabelAllowance else {
            let allowed = job.badLabelAllowance > 0 ? "more than the allowed \(job.badLabelAllowance)" : "none may be skipped unless --skip-bad-labels FRACTION allows it"
            throw TrainingError.badLabel("the \(channel) channel has \(audit.bad.count) of \(audit.total) records (\(share)) with labels outside [0, \(hp.numClasses)) or not whole numbers; \(allowed). First: \(audit.firstProblems())")
        }
        log.info("warning: skipping \(audit.bad.count) of \(audit.total) records (\(share)) of the \(channel) channel with invalid labels (allowed: \(job.badLabelAllowance)); first: \(audit.firstProblems(3))")
        var kept = opened
        kept.source = SubsetSource(opened.source, excluding: Set(audit.bad.map(\.index)))
        return kept
    }

    /// Validation without `resize` crops images unresized, as MXNet's ImageRecordIter does.
    /// When they all share one shorter side, the endpoint can resize any request to that side
    /// and so reproduce validation on images like them; when they vary, no single resize can.
    func noteValidationSizes(_ sides: ClosedRange<Int>?, height: Int) {
        guard hp.resize == nil, let sides else { return }
        if sides.lowerBound == sides.upperBound {
            validationShorterSide = sides.lowerBound
            return
        }
        validationShorterSide = nil
        if !warnedMixedValidationSizes {
            warnedMixedValidationSizes = true
            log.info("warning: validation images have shorter sides from \(sides.lowerBound) to \(sides.upperBound) and resize is unset, so validation crops them unresized and no endpoint resize can reproduce it (the endpoint resizes the shorter side to \(height)); set resize")
        }
    }

    /// An epoch's figures over every worker's samples (each worker saw its own shard).
    func combine(_ metric: AccuracyMetric) throws -> (accuracy: Double, topK: Double?, loss: Double) {
        let n = Double(metric.samples)
        let totals = try collective.sum([metric.accuracy * n, (metric.topKAccuracy ?? 0) * n, metric.meanLoss * n, n])
        let count = max(totals[3], 1)
        return (totals[0] / count, metric.topKAccuracy == nil ? nil : totals[1] / count, totals[2] / count)
    }

    // MARK: - Weights from elsewhere

    /// Incremental training: the model channel must be the same network; returns its class names.
    func loadIncremental(_ url: URL, store: ParameterStore) throws -> [String]? {
        let artifact = try ModelArtifact.load(from: url)
        var problems: [String] = []
        if let shape = artifact.imageShape, shape != hp.imageShape {
            problems.append("image_shape is \(shape.map(String.init).joined(separator: ",")) there, \(hp.imageShape.map(String.init).joined(separator: ",")) here")
        }
        let fc = artifact.parameters.first { $0.name == "arg:fc1_weight" || $0.name == "fc1_weight" }?.array.shape
        if let fc {
            if fc.count != 2 {
                problems.append("fc1_weight has shape [\(fc.map(String.init).joined(separator: ", "))] there, expected [num_classes, features]")
            } else if fc[0] != hp.numClasses {
                problems.append("num_classes is \(fc[0]) there, \(hp.numClasses) here")
            }
        }
        let convCount = artifact.parameters.filter { $0.name.hasSuffix("_weight") && $0.array.shape.count == 4 }.count
        let expected = store.argumentNames.filter { $0.hasSuffix("_weight") && store.argument($0)!.dims.count == 4 }.count
        if convCount != expected { problems.append("it has \(convCount) convolutions, num_layers \(hp.numLayers) has \(expected)") }
        if !problems.isEmpty { throw TrainingError.modelMismatch("\(url.path): " + problems.joined(separator: "; ")) }
        do {
            try store.load(artifact.parameters, source: url.path, requireAll: true)
        } catch {
            throw TrainingError.modelMismatch("\(error)")
        }
        log.info("Incremental training from \(url.path) (epoch \(artifact.epoch))")
        return artifact.classNames
    }

    /// Transfer learning: every weight of the model-zoo checkpoint but `fc1`.
    func loadPretrained(store: ParameterStore) throws {
        let env = ProcessInfo.processInfo.environment["IMGCLF_PRETRAINED_DIR"]
        guard let dir = job.pretrainedModelDir ?? env.map({ URL(fileURLWithPath: $0) }) else {
            throw TrainingError.pretrained("no folder of pretrained weights: pass --pretrained_model_dir DIR (or set IMGCLF_PRETRAINED_DIR) to a folder holding resnet-\(hp.numLayers)-symbol.json and resnet-\(hp.numLayers)-0000.params")
        }
        let params = dir.appendingPathComponent("resnet-\(hp.numLayers)-0000.params")
        guard FileManager.default.fileExists(atPath: params.path) else {
            throw TrainingError.pretrained("\(params.path) not found (looked in \(dir.path) for MXNet's model-zoo checkpoint resnet-\(hp.numLayers)-0000.params)")
        }
        let arrays = try ParamsFile.read(contentsOf: params)
        let fc1: Set<String> = ["fc1_weight", "fc1_bias"]
        do {
            let loaded = try store.load(arrays, source: params.path, skip: fc1, requireAll: true)
            log.info("Transfer learning from \(params.path): \(loaded.count) arrays loaded, fc1 initialised afresh")
        } catch {
            throw TrainingError.pretrained("\(error)")
        }
    }

    /// use_weighted_loss: each class's positives weighted by negatives/positives in the
    /// training labels, so rare classes count as much as common ones.
    func classWeights(_ source: any SampleSource) throws -> [Float] {
        var positives = [Int](repeating: 0, count: hp.numClasses)
        var total = 0
        for i in 0..<source.count {
            guard let labels = try? source.labels(at: i) else { continue }
            total += 1
            for c in 0..<min(labels.count, hp.numClasses) where labels[c] >= 0.5 { positives[c] += 1 }
        }
        return positives.map { p in p == 0 ? 1 : Float(total - p) / Float(p) }
    }

    // MARK: - Files

    func saveState(_ state: TrainingState, store: ParameterStore, optimizer: any Optimizer) throws {
        guard isRoot, let dir = job.checkpointDir else { return }
        try state.save(to: dir, arrays: store.export() + optimizer.stateArrays())
    }

    /// Writes checkpoint `epoch` into the output folder (and a copy into the checkpoint
    /// folder) and records the run's checkpoints in `state`, without `previous` when it is
    /// replaced. Returns the replaced files, to delete once the state no longer lists them.
    @discardableResult
    func writeCheckpoint(symbol: Symbol, store: ParameterStore, epoch: Int, classNames: [String]?, state: inout TrainingState,
                         replacing previous: Int? = nil) throws -> [URL] {
        let artifact = ModelArtifact(symbol: symbol, parameters: store.export(), epoch: epoch, imageShape: hp.imageShape,
                                     classNames: classNames, hyperparameters: hp.asStrings, history: try historyJSON(state.history),
                                     validationShorterSide: validationShorterSide)
        try artifact.write(to: job.outputDir)
        var replaced: [URL] = []
        var kept = (state.checkpoints ?? []).filter { $0 != epoch }
        if let previous, previous != epoch {
            kept.removeAll { $0 == previous }
            let name = ModelArtifact.paramsFileName(epoch: previous)
            replaced.append(job.outputDir.appendingPathComponent(name))
            if let dir = job.checkpointDir { replaced.append(dir.appendingPathComponent(name)) }
        }
        state.checkpoints = kept + [epoch]
        if let dir = job.checkpointDir {
            // Keep a copy beside the state: a resumed job on a new machine restores it.
            let name = ModelArtifact.paramsFileName(epoch: epoch)
            try copyAtomically(job.outputDir.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return replaced
    }

    func copyAtomically(_ source: URL, to target: URL) throws {
        try AtomicFile.replace(target) { temporary in try FileManager.default.copyItem(at: source, to: temporary) }
    }

    /// Packs `model.tar.gz` from this run's checkpoints (restoring any that a resumed job kept
    /// only in the checkpoint folder); files of earlier runs in the output folder stay out.
    func packArtifact(symbol: Symbol, store: ParameterStore, classNames: [String]?, state: inout TrainingState) throws -> URL {
        let fm = FileManager.default
        try fm.createDirectory(at: job.outputDir, withIntermediateDirectories: true)
        let present = Set((try fm.contentsOfDirectory(atPath: job.outputDir.path))
            .filter { $0.hasPrefix(ModelArtifact.prefix + "-") && $0.hasSuffix(".params") })
        var checkpoints: [String]
        if let numbers = state.checkpoints {
            checkpoints = numbers.sorted().map(ModelArtifact.paramsFileName(epoch:))
            for name in checkpoints where !present.contains(name) {
                guard let dir = job.checkpointDir, fm.fileExists(atPath: dir.appendingPathComponent(name).path) else {
                    throw TrainingError.badCheckpoint("the training state lists checkpoint \(name), which is neither in \(job.outputDir.path) nor in the checkpoint folder")
                }
                try copyAtomically(dir.appendingPathComponent(name), to: job.outputDir.appendingPathComponent(name))
            }
        } else {
            // A state saved by an older version does not list its checkpoints: every one there.
            if let dir = job.checkpointDir, let names = try? fm.contentsOfDirectory(atPath: dir.path) {
                for name in names where name.hasPrefix(ModelArtifact.prefix + "-") && name.hasSuffix(".params") && !present.contains(name) {
                    try copyAtomically(dir.appendingPathComponent(name), to: job.outputDir.appendingPathComponent(name))
                }
            }
            checkpoints = (try fm.contentsOfDirectory(atPath: job.outputDir.path))
                .filter { $0.hasPrefix(ModelArtifact.prefix + "-") && $0.hasSuffix(".params") }.sorted()
        }
        if checkpoints.isEmpty {
            // No checkpoint was due (e.g. checkpoint_frequency larger than the epochs run): the last weights.
            try writeCheckpoint(symbol: symbol, store: store, epoch: state.nextEpoch, classNames: classNames, state: &state)
            checkpoints = [ModelArtifact.paramsFileName(epoch: state.nextEpoch)]
        }
        let stale = present.subtracting(checkpoints).sorted()
        if !stale.isEmpty {
            log.info("warning: \(job.outputDir.path) also holds \(stale.joined(separator: ", ")), not written by this run; left out of model.tar.gz")
        }
        // Refresh the side files with the whole history; pack them with this run's checkpoints.
        let metadata = ModelArtifact(symbol: symbol, parameters: [], epoch: 0, imageShape: hp.imageShape, classNames: classNames,
                                     hyperparameters: hp.asStrings, history: try historyJSON(state.history),
                                     validationShorterSide: validationShorterSide)
        let names = try metadata.writeMetadata(to: job.outputDir) + checkpoints
        guard job.packsArchive else { return job.outputDir }
        let archive = job.outputDir.appendingPathComponent("model.tar.gz")
        try TarGz.write(names.map { ($0, job.outputDir.appendingPathComponent($0)) }, to: archive)
        return archive
    }

    /// A folder the service packs whole must hold this run's files only: checkpoints of
    /// another run, or an archive, would be packed beside them (and the highest-numbered
    /// checkpoint is the one served). Checked before any training, so no work is lost.
    func refuseFilesOfAnotherRun(listed: [Int]) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: job.outputDir.path)) ?? []
        let ours = Set(listed.map(ModelArtifact.paramsFileName(epoch:)))
        let foreign = names.filter {
            ($0.hasSuffix(".params") && !ours.contains($0)) || $0.hasSuffix(".tar.gz")
        }.sorted()
        if !foreign.isEmpty {
            throw TrainingError.unsupported("\(job.outputDir.path) already holds \(foreign.prefix(5).joined(separator: ", "))\(foreign.count > 5 ? " and \(foreign.count - 5) more" : "") from another run; the service packs this whole folder into model.tar.gz, so empty it (or resume with the checkpoint folder that run used)")
        }
    }

    func historyJSON(_ history: [EpochRecord]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(history)
    }
}
