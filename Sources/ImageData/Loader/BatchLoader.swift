import Foundation

/// Decodes and augments images on its own threads into reused, preallocated NCHW float32
/// batch buffers, a few batches ahead of the consumer.
///
/// Every epoch gets a new order (`seed`, epoch); each worker of a distributed job reads its
/// own part (`rank` of `workers`), and all parts give the same number of batches. An image
/// that fails to load or decode is skipped with a warning naming it and counted (training),
/// or fails the epoch when `skipBadImages` is off; an epoch with no decodable image fails.
/// Results depend only on the seed: any number of threads gives the same batches.
///
/// Use from one consumer thread: `startEpoch(_:)`, then `next()` until it returns nil.
// Unchecked Sendable: one consumer thread calls it; the shared state lives in LoaderEngine, under its lock.
public final class BatchLoader: @unchecked Sendable {
    private let engine: LoaderEngine

    /// A loader over a random-access source (`.rec`, `.lst` folder, class folders, manifest).
    public init(source: any SampleSource, augmenter: Augmenter, config: LoaderConfig) throws(LoaderError) {
        engine = try LoaderEngine(input: .random(source), augmenter: augmenter, config: config)
    }

    /// A loader over a stream read once per epoch (pipe mode): `open(epoch)` gives the
    /// epoch's stream. Streams are read in order (no shuffle); worker `rank` keeps every
    /// `workers`-th record.
    public init(stream open: @escaping @Sendable (Int) throws -> any SampleStream, augmenter: Augmenter,
                config: LoaderConfig) throws(LoaderError) {
        engine = try LoaderEngine(input: .stream(open), augmenter: augmenter, config: config)
    }

    deinit { engine.stop() }

    public var config: LoaderConfig { engine.config }
    public var augmenter: Augmenter { engine.augmenter }
    /// Number of batches one epoch gives (random-access sources; nil for streams).
    public var batchesPerEpoch: Int? { engine.batchesPerEpoch }
    /// Images skipped so far in the current epoch.
    public var skippedInEpoch: Int { engine.skippedInEpoch }
    /// The smallest and largest shorter side of the images decoded so far this epoch.
    public var shorterSidesInEpoch: ClosedRange<Int>? { engine.shorterSidesInEpoch }

    /// Begins epoch `epoch` (abandoning what is left of the previous one) and starts decoding.
    public func startEpoch(_ epoch: Int) throws { try engine.startEpoch(epoch) }

    /// The next batch of the epoch, or nil when the epoch is over. The returned buffers stay
    /// valid until the next call.
    public func next() throws -> Batch? { try engine.next() }
}

/// The threads and shared state behind a `BatchLoader`; the threads keep it alive until
/// `stop()`, which the loader calls when it goes away.
// Unchecked Sendable: the job queue and finished batches are read and written under `cond`; each batch buffer is written by the one worker that claimed its slot.
final class LoaderEngine: @unchecked Sendable {
    let config: LoaderConfig
    let augmenter: Augmenter

    enum Input {
        case random(any SampleSource)
        case stream(@Sendable (Int) throws -> any SampleStream)
    }
    private let input: Input
    private let cond = NSCondition()
    private let buffers: [BatchBuffer]
    private var threads: [Thread] = []

    // Everything below is guarded by `cond`.
    private var stopping = false
    private var epoch = -1
    private var plan: [Int] = []                 // source index per position (random access)
    private var realPositions = 0                // positions before round-batch padding
    private var totalPositions: Int?             // nil while a stream is still being read
    private var claimed = 0                      // next position to hand out
    private var released = 0                     // batches given back by the consumer
    private var inFlight = 0
    private var holding = false                  // the consumer holds batch `released`
    private var stream: (any SampleStream)?
    private var streamRecords = 0
    private var fatal: Error?
    private var goodThisEpoch = 0
    private var skippedThisEpoch = 0
    private var firstProblem: String?
    /// Whether the large-image warning was given (once per loader).
    private var warnedLarge = false
    private var shorterSides: ClosedRange<Int>?

    init(input: Input, augmenter: Augmenter, config: LoaderConfig) throws(LoaderError) {
        try Self.check(config)
        try Self.checkBufferSize(config, augmenter)
        self.input = input
        self.config = config
        self.augmenter = augmenter
        self.buffers = (0..<(config.prefetch + 1)).map { _ in
            BatchBuffer(batchSize: config.batchSize, imageCount: augmenter.outputCount, labelWidth: config.labelWidth)
        }
        startThreads()
    }

    /// Stops the worker threads.
    func stop() {
        cond.lock(); stopping = true; cond.broadcast(); cond.unlock()
    }

    private static func check(_ c: LoaderConfig) throws(LoaderError) {
        if c.batchSize < 1 { throw .invalidConfig("batch size must be at least 1, got \(c.batchSize)") }
        if c.threads < 1 || c.threads > 1024 { throw .invalidConfig("threads must be in [1, 1024], got \(c.threads)") }
        if c.prefetch < 1 || c.prefetch > 1024 { throw .invalidConfig("prefetch must be in [1, 1024], got \(c.prefetch)") }
        if c.workers < 1 || c.rank < 0 || c.rank >= c.workers {
            throw .invalidConfig("rank \(c.rank) is not in 0..<\(c.workers)")
        }
        if c.labelWidth < 1 { throw .invalidConfig("label width must be at least 1") }
    }

    /// The most floats one batch buffer may hold (16 GiB): sizes come from hyperparameters, so
    /// they are multiplied with overflow checks and bounded before anything is allocated.
    static let maxBufferFloats = 1 << 32

    private static func checkBufferSize(_ c: LoaderConfig, _ a: Augmenter) throws(LoaderError) {
        let (plane, o1) = a.height.multipliedReportingOverflow(by: a.width)
        let (image, o2) = plane.multipliedReportingOverflow(by: a.channels)
        let (images, o3) = image.multipliedReportingOverflow(by: c.batchSize)
        let (labels, o4) = c.labelWidth.multipliedReportingOverflow(by: c.batchSize)
        if o1 || o2 || o3 || o4 || images > maxBufferFloats || labels > maxBufferFloats {
            throw .invalidConfig("a batch of \(c.batchSize) images of \(a.channels)x\(a.height)x\(a.width) with \(c.labelWidth) label value(s) each exceeds \(maxBufferFloats) floats per buffer")
        }
    }

    var batchesPerEpoch: Int? {
        guard case .random(let source) = input else { return nil }
        let shard = (source.count + config.workers - 1) / config.workers
        return (shard + config.batchSize - 1) / config.batchSize
    }

    var skippedInEpoch: Int { cond.lock(); defer { cond.unlock() }; return skippedThisEpoch }
    var shorterSidesInEpoch: ClosedRange<Int>? { cond.lock(); defer { cond.unlock() }; return shorterSides }

    func startEpoch(_ epoch: Int) throws {
        cond.lock()
        defer { cond.unlock() }
        // Let in-flight images finish before their buffers are reused.
        totalPositions = claimed
        while inFlight > 0 { cond.wait() }
        for b in buffers { b.reset() }
        self.epoch = epoch
        claimed = 0
        released = 0
        holding = false
        fatal = nil
        goodThisEpoch = 0
        skippedThisEpoch = 0
        shorterSides = nil
        firstProblem = nil
        stream = nil
        streamRecords = 0
        switch input {
        case .random(let source):
            plan = makePlan(count: source.count, epoch: epoch)
            let batches = plan.isEmpty ? 0 : batchesPerEpoch!
            realPositions = min(plan.count, shard(count: source.count).count)
            totalPositions = batches * config.batchSize
        case .stream(let open):
            plan = []
            realPositions = Int.max
            totalPositions = nil
            do { stream = try open(epoch) } catch {
                throw LoaderError.stream("cannot open the stream for epoch \(epoch): \(error)")
            }
        }
        cond.broadcast()
    }

    /// This worker's source indices: every `workers`-th one, from `rank`. Interleaved rather
    /// than contiguous parts, because folder and `.lst` sources are often sorted by class:
    /// contiguous halves would give each worker only some of the classes.
    private func shard(count: Int) -> [Int] {
        Array(stride(from: config.rank, to: count, by: config.workers))
    }

    /// This epoch's source indices, shuffled, padded by wrapping to whole batches.
    private func makePlan(count: Int, epoch: Int) -> [Int] {
        var order = shard(count: count)
        if config.shuffle && order.count > 1 {
            var rng = SampleRNG(seed: config.seed ^ 0x5348_5546_464C_4500, epoch: epoch, index: config.rank)
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, rng.int(in: 0...i))
            }
        }
        let total = batchesPerEpoch! * config.batchSize
        guard !order.isEmpty else { return [] }
        var plan = order
        plan.reserveCapacity(total)
        while plan.count < total { plan.append(order[(plan.count - order.count) % order.count]) }
        return plan
    }

    func next() throws -> Batch? {
        cond.lock()
        defer { cond.unlock() }
        precondition(epoch >= 0, "call startEpoch(_:) before next()")
        while true {
            if holding {
                holding = false
                buffers[released % buffers.count].reset()
                released += 1
                cond.broadcast()
            }
            let b = released
            let bs = config.batchSize
            // Wait until the batch is complete, the epoch ends, or something breaks.
            while true {
                if let fatal { throw fatal }
                if let total = totalPositions, b * bs >= total { return try endOfEpoch() }
                let expected = min(bs, (totalPositions ?? Int.max) - b * bs)
                if buffers[b % buffers.count].done >= expected { break }
                cond.wait()
            }
            let buffer = buffers[b % buffers.count]
            let expected = min(bs, (totalPositions ?? Int.max) - b * bs)
            let realInBatch = max(0, min(bs, realPositions - b * bs, expected))
            let goodReal = (0..<realInBatch).reduce(0) { $0 + (buffer.ok[$1] ? 1 : 0) }
            holding = true
            if goodReal == 0 { continue }   // nothing decodable in this batch: skip it
            _ = buffer.compact()
            return Batch(data: UnsafeBufferPointer(start: buffer.data, count: bs * buffer.imageCount),
                         labels: UnsafeBufferPointer(start: buffer.labels, count: bs * buffer.labelWidth),
                         count: goodReal, pad: bs - goodReal, sampleIndices: buffer.indices, index: b)
        }
    }

    private func endOfEpoch() throws -> Batch? {
        if goodThisEpoch == 0 && skippedThisEpoch > 0 {
            throw LoaderError.noDecodableImage(epoch: epoch, skipped: skippedThisEpoch, firstProblem: firstProblem ?? "")
        }
        return nil
    }

    // MARK: workers

    private func startThreads() {
        for i in 0..<config.threads {
            let t = Thread { self.work() }
            t.name = "imgclf-loader-\(i)"
            t.stackSize = 1 << 20
            threads.append(t)
            t.start()
        }
    }

    /// A position a worker may fill: claimed under the lock, filled without it.
    private struct Job {
        var epoch: Int
        var position: Int
        var sourceIndex: Int
        var raw: RawSample?
        var problem: String?
        /// The decoded image's shorter side, recorded under the lock by `finish`.
        var shorterSide: Int?
    }

    private func work() {
        let workspace = AugmentWorkspace(width: augmenter.width, height: augmenter.height, channels: augmenter.channels)
        let options = DecodeOptions(channels: augmenter.channels, maxPixels: config.maxPixels)
        while true {
            cond.lock()
            var job: Job?
            while job == nil {
                if stopping { cond.unlock(); return }
                job = claim()
                if job == nil { cond.wait() }
            }
            inFlight += 1
            cond.unlock()
            var j = job!
            let problem = j.problem ?? fill(&j, options: options, workspace: workspace)
            cond.lock()
            inFlight -= 1
            finish(j, problem: problem)
            cond.broadcast()
            cond.unlock()
        }
    }

    /// Hands out the next position when its batch buffer is free. Lock held.
    private func claim() -> Job? {
        guard epoch >= 0, fatal == nil else { return nil }
        if let total = totalPositions, claimed >= total { return nil }
        let b = claimed / config.batchSize
        guard b < released + buffers.count else { return nil }
        switch input {
        case .random:
            let p = claimed
            claimed += 1
            return Job(epoch: epoch, position: p, sourceIndex: plan[p])
        case .stream:
            // Reading is sequential, so it happens under the lock; decoding does not.
            do {
                while true {
                    guard var s = stream else { return nil }
                    // Kept even when the record is refused (bad label): the stream has moved past
                    // it, and restoring the old copy would read the same record forever.
                    let read = Result { try s.next() }
                    stream = s
                    let raw = try read.get()
                    guard let raw else {
                        totalPositions = claimed
                        cond.broadcast()
                        return nil
                    }
                    let record = streamRecords
                    streamRecords += 1
                    if record % config.workers != config.rank { continue }
                    let p = claimed
                    claimed += 1
                    return Job(epoch: epoch, position: p, sourceIndex: record, raw: raw)
                }
            } catch let DatasetError.badSample(reference, reason) {
                let record = streamRecords
                streamRecords += 1
                let p = claimed
                claimed += 1
                return Job(epoch: epoch, position: p, sourceIndex: record, problem: "\(reference): \(reason)")
            } catch {
                fatal = LoaderError.stream("\(error)")
                totalPositions = claimed
                cond.broadcast()
                return nil
            }
        }
    }

    /// Loads, decodes and augments one image into its slot; returns a problem or nil.
    private func fill(_ job: inout Job, options: DecodeOptions, workspace: AugmentWorkspace) -> String? {
        let bs = config.batchSize
        let buffer = buffers[(job.position / bs) % buffers.count]
        let slot = job.position % bs
        let raw: RawSample
        if let r = job.raw {
            raw = r
        } else {
            guard case .random(let source) = input else { return "no sample" }
            do { raw = try source.load(at: job.sourceIndex) } catch { return "\(error)" }
        }
        guard raw.labels.count == config.labelWidth else {
            return "\(raw.reference): has \(raw.labels.count) label value(s), expected \(config.labelWidth)"
        }
        let decoded: Result<Image, ImageDecodeError> = raw.bytes.withUnsafeBytes { all in
            let bytes = UnsafeRawBufferPointer(rebasing: all[min(raw.imageOffset, all.count)...])
            return Result { () throws(ImageDecodeError) in try ImageDecoder.decode(bytes, options: options) }
        }
        let image: Image
        switch decoded {
        case .success(let i): image = i
        case .failure(let e): return "\(raw.reference): cannot decode the image: \(e)"
        }
        job.shorterSide = min(image.width, image.height)
        if augmenter.resize == nil, image.width >= 2 * augmenter.width, image.height >= 2 * augmenter.height {
            warnLargeOnce(image, reference: raw.reference)
        }
        var rng = SampleRNG(seed: config.seed &+ UInt64(config.rank) &* 0x9E37_79B9, epoch: job.epoch, index: job.position)
        augmenter.process(image, rng: &rng, workspace: workspace, into: buffer.data + slot * buffer.imageCount)
        raw.labels.withUnsafeBufferPointer {
            (buffer.labels + slot * buffer.labelWidth).update(from: $0.baseAddress!, count: config.labelWidth)
        }
        return nil
    }

    /// Without `resize`, crops come from the full-size image (as MXNet's ImageRecordIter takes
    /// them), so an image twice image_shape's size or more loses most of itself to the crop.
    private func warnLargeOnce(_ image: Image, reference: String) {
        cond.lock()
        let first = !warnedLarge
        warnedLarge = true
        cond.unlock()
        guard first else { return }
        config.warn("\(reference) is \(image.width)x\(image.height), at least twice image_shape's \(augmenter.width)x\(augmenter.height), and resize is unset: crops are taken from the full-size image, as MXNet does. Set resize (e.g. \(max(augmenter.height, augmenter.width) * 8 / 7)) to shrink the shorter side first")
    }

    /// Records a finished position. Lock held.
    private func finish(_ job: Job, problem: String?) {
        guard job.epoch == epoch else { return }
        if let side = job.shorterSide {
            shorterSides = shorterSides.map { min($0.lowerBound, side)...max($0.upperBound, side) } ?? side...side
        }
        let bs = config.batchSize
        let buffer = buffers[(job.position / bs) % buffers.count]
        let slot = job.position % bs
        buffer.indices[slot] = job.sourceIndex
        buffer.ok[slot] = problem == nil
        buffer.done += 1
        let isReal = job.position < realPositions
        if let problem {
            if !config.skipBadImages {
                if fatal == nil { fatal = LoaderError.badImage(problem) }
                return
            }
            if isReal {
                skippedThisEpoch += 1
                if firstProblem == nil { firstProblem = problem }
                config.warn("skipping an image: \(problem) (\(skippedThisEpoch) skipped this epoch)")
            }
        } else if isReal {
            goodThisEpoch += 1
        }
    }
}
