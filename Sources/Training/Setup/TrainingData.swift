import ImageData
import Foundation
import Models

/// The data of a run: its channels opened and their labels checked before any work, and the
/// loaders that feed each worker its shard, as many batches per epoch on every worker.
extension TrainingSetup {
    /// The channels, validated (pipe-mode channels are streams, read per epoch: nil here).
    /// Given an earlier model (incremental training) that names its classes, class folders
    /// take its labels by name, so the model's classes keep their meaning.
    func openChannels(_ labels: LabelSpec, earlierModel: ModelArtifact?) throws -> (train: Channel.Opened?, validation: Channel.Opened?) {
        let warn: @Sendable (String) -> Void = { [log] in log.info("warning: " + $0) }
        func open(_ channel: Channel, known: KnownClasses? = nil) throws -> Channel.Opened? {
            if channel.pipeMode { return nil }
            return try audited(channel.open(labels: labels, badLabelAllowance: job.badLabelAllowance, knownClasses: known, warn: warn),
                               channel: channel.name)
        }
        let modelClasses = earlierModel.flatMap { model -> KnownClasses? in
            guard let names = model.classNames, names.count == hp.numClasses else { return nil }
            return KnownClasses(names: names, origin: "the model channel's classes.json (incremental training)")
        }
        let train = try open(job.train, known: modelClasses)
        // Validation's class folders take the train channel's labels by name, not by their own
        // sorted position: a renamed or extra folder must not shift every label after it.
        let trainClasses: KnownClasses? = train.flatMap { $0.classNames.isEmpty ? nil : KnownClasses(names: $0.classNames, origin: "the \(job.train.name) channel") }
        let validation = try open(job.validation, known: trainClasses)
        if let train {
            guard train.source.count >= hp.miniBatchSize else {
                throw TrainingError.tooFewImages(channel: job.train.name, found: train.source.count, miniBatchSize: hp.miniBatchSize)
            }
            if train.source.count != hp.numTrainingSamples {
                log.info("warning: num_training_samples is \(hp.numTrainingSamples) but the \(job.train.name) channel has \(train.source.count) images; learning-rate steps use num_training_samples")
            }
        }
        return (train, validation)
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

    /// Loaders: each worker reads its own shard. A ShardedByS3Key channel already holds only
    /// this host's files: it is read whole, not sharded again.
    func makeLoaders(train: Channel.Opened?, validation: Channel.Opened?, labels: LabelSpec) throws -> (BatchLoader, BatchLoader) {
        let warn: @Sendable (String) -> Void = { [log] in log.info("warning: " + $0) }
        func config(_ channel: Channel, shuffle: Bool) -> LoaderConfig {
            let (rank, workers) = channel.preSharded ? (0, 1) : (collective.rank, collective.size)
            return LoaderConfig(batchSize: hp.miniBatchSize, threads: max(1, job.loaderThreads), seed: job.seed, shuffle: shuffle, rank: rank,
                                workers: workers, labelWidth: labels.width, skipBadImages: true, warn: warn)
        }
        // Validation preprocesses as MXNet's ImageRecordIter does: shorter side to `resize`
        // when set, then a centre crop (from the full-size image when resize is unset). The
        // endpoint resizes to `resize`, or to the one shorter side validation's images had
        // (ValidationSizes), so it gives images like validation's the same input.
        let trainAugmenter = Augmenter(imageShape: hp.imageShape, resize: hp.resize, params: .training(hp.augmentationType))
        let validAugmenter = Augmenter(imageShape: hp.imageShape, resize: hp.resize, params: .none)
        func loader(_ opened: Channel.Opened?, _ channel: Channel, _ augmenter: Augmenter, shuffle: Bool) throws -> BatchLoader {
            let config = config(channel, shuffle: shuffle)
            if let opened { return try BatchLoader(source: opened.source, augmenter: augmenter, config: config) }
            // In Pipe mode labels are checked as records arrive: a bad one fails the epoch unless
            // skipping is allowed (then the epoch's skipped share is checked against the allowance).
            var strict = channel
            strict.badLabelsFail = job.badLabelAllowance == 0
            return try BatchLoader(stream: { [strict] in try strict.stream(epoch: $0, labels: labels) }, augmenter: augmenter, config: config)
        }
        return (try loader(train, job.train, trainAugmenter, shuffle: true),
                try loader(validation, job.validation, validAugmenter, shuffle: false))
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
}
