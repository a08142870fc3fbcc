import Compute
import ImageData
import Foundation
import Graph
import Models

/// Setup: everything a run needs, checked and built before the first epoch, so a bad
/// channel, model or checkpoint fails the job before any work. It lasts only until the
/// session is made; the run's context (`TrainingRun`) is made from what it builds.
struct TrainingSetup {
    let job: TrainingJob
    /// The run's log (a silent one on ranks other than 0).
    let log: TrainingLog
    let collective: any Collective
    var hp: Hyperparameters { job.hyperparameters }
    /// Rank 0 alone prepares the folders it writes.
    var isRoot: Bool { collective.rank == 0 }
}

extension TrainingSetup {
    func makeSession() throws -> TrainingSession {
        // Where results go, proved writable before any work (rank 0 alone writes).
        if isRoot {
            try WritableFolder.prepare(job.outputDir, role: "output")
            if let dir = job.checkpointDir { try WritableFolder.prepare(dir, role: "checkpoint") }
        }
        let labels = LabelSpec(numClasses: hp.numClasses, multiLabel: hp.multiLabel)
        // Incremental training's earlier model, read once: its classes label the channels.
        let earlier = try job.model.map { try ModelArtifact.load(from: $0) }
        let (train, validation) = try openChannels(labels, earlierModel: earlier)
        let network = try buildNetwork()
        let classNames = try initializeWeights(network, train: train, earlierModel: earlier)
        // Gradients are averaged over the global batch (MXNet's Module multiplies the batch
        // by the workers under dist_sync) and summed over workers by the collective.
        let optimizer = Optimizers.make(hp, rescaleGrad: 1 / Float(hp.miniBatchSize * collective.size))
        optimizer.schedule = LearningRateSchedule(hyperparameters: hp, machines: collective.size)
        let state = try resumedState(network.store, optimizer: optimizer)
        if isRoot && !job.packsArchive { try refuseFilesOfAnotherRun(listed: state.checkpoints) }
        try collective.broadcastParameters(network.store)
        let (trainLoader, validLoader) = try makeLoaders(train: train, validation: validation, labels: labels)
        let trainCount = train.map { "\($0.source.count) images" } ?? "a pipe"
        let validCount = validation.map { "\($0.source.count)" } ?? "a pipe"
        log.info("Training ResNet-\(hp.numLayers) on \(trainCount) (\(job.train.name)), validating on \(validCount)\(collective.size > 1 ? ", \(collective.size) workers" : ""); image_shape \(hp.imageShape.map(String.init).joined(separator: ",")), \(hp.numClasses) classes\(hp.multiLabel ? " (multi-label)" : ""), mini_batch_size \(hp.miniBatchSize), \(hp.epochs) epochs")
        return TrainingSession(network: network, optimizer: optimizer, trainLoader: trainLoader, validLoader: validLoader,
                               batchLimit: try agreedBatches(trainLoader.batchesPerEpoch, preSharded: job.train.preSharded),
                               classNames: classNames, state: state, validationSizes: ValidationSizes(),
                               profile: job.profile ? TrainingProfile() : nil)
    }

    /// The ResNet of the hyperparameters, with an executor for training and one for validation.
    func buildNetwork() throws -> TrainingNetwork {
        let symbol = try Models.ResNet.symbol(numLayers: hp.numLayers, imageShape: hp.imageShape, numClasses: hp.numClasses,
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
        let dataShape = [hp.miniBatchSize] + hp.imageShape
        return TrainingNetwork(symbol: symbol, store: store,
                               training: try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .training, precision: precision),
                               inference: try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .inference, precision: precision))
    }

    /// A fresh progress record, or the one saved in the checkpoint folder (with the weights
    /// and optimizer state it holds loaded), when it is of this network.
    func resumedState(_ store: ParameterStore, optimizer: any Optimizer) throws -> TrainingState {
        let fresh = TrainingState(nextEpoch: 0, updates: 0, learningRate: Float(hp.learningRate), bestAccuracy: nil, bestEpoch: nil,
                                  epochsWithoutImprovement: 0, history: [], numLayers: hp.numLayers, imageShape: hp.imageShape,
                                  numClasses: hp.numClasses, multiLabel: hp.multiLabel, checkpoints: [])
        guard let (saved, arrays, dir) = try savedState() else { return fresh }
        guard saved.numLayers == hp.numLayers, saved.imageShape == hp.imageShape, saved.numClasses == hp.numClasses,
              saved.multiLabel == hp.multiLabel else {
            throw TrainingError.badCheckpoint("\(dir) holds a run of another network (num_layers \(saved.numLayers), image_shape \(saved.imageShape.map(String.init).joined(separator: ",")), num_classes \(saved.numClasses)); use another checkpoint folder")
        }
        try store.load(arrays.filter { !$0.name.hasPrefix("opt:") }, source: dir, requireAll: true)
        do {
            try optimizer.loadState(arrays.filter { $0.name.hasPrefix("opt:") }, parameters: store)
        } catch {
            // Name the file: "was the checkpoint written with another optimizer?" alone does not say which.
            throw TrainingError.badCheckpoint("\(dir): \(error) To resume, keep the optimizer of that run, or use an empty checkpoint folder.")
        }
        log.info("Resuming from \(dir): epoch \(saved.nextEpoch), \(saved.updates) updates done")
        if saved.nextEpoch > hp.epochs {
            log.info("The state in \(dir) has already run \(saved.nextEpoch) epochs, more than epochs=\(hp.epochs): no epoch is left to run, so the model is written from what that run saved. To train a shorter run, use an empty checkpoint folder.")
        }
        return saved
    }

    /// The state saved in rank 0's checkpoint folder, with where it came from: under several
    /// workers rank 0 sends it to the others, so their hosts need no copy of the folder (and
    /// one they have, perhaps older, is not read).
    func savedState() throws -> (TrainingState, [(name: String, array: NDArray)], source: String)? {
        let local = try isRoot ? job.checkpointDir.flatMap { dir in
            try TrainingState.load(from: dir).map { ($0.0, $0.1, source: dir.appendingPathComponent(TrainingState.paramsName).path) }
        } : nil
        guard collective.size > 1 else { return local }
        let shared = try collective.shareFromRoot(try local.map { [UInt8](try $0.0.encoded(arrays: $0.1)) })
        guard let shared else { return nil }
        if let local { return local }
        let (state, arrays) = try TrainingState.decode(Data(shared), source: "rank 0's training state")
        return (state, arrays, "rank 0's \(TrainingState.paramsName)")
    }

    /// A folder the service packs whole must hold this run's files only: checkpoints of
    /// another run, or an archive, would be packed beside them (and the highest-numbered
    /// checkpoint is the one served). Checked before any training, so no work is lost.
    func refuseFilesOfAnotherRun(listed: [Int]) throws {
        let foreign = ModelArtifact.foreignFiles(in: job.outputDir, keeping: listed)
        if !foreign.isEmpty {
            throw TrainingError.unsupported("\(job.outputDir.path) already holds \(foreign.prefix(5).joined(separator: ", "))\(foreign.count > 5 ? " and \(foreign.count - 5) more" : "") from another run; the service packs this whole folder into model.tar.gz, so empty it (or resume with the checkpoint folder that run used)")
        }
    }
}
