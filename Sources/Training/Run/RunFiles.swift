import Foundation
import Graph
import Models

/// This run's files: the state in the checkpoint folder, the checkpoints in the output
/// folder (with a copy of each beside the state), and the packed model. Which files those
/// are, and how they are replaced, pruned and packed, is `ModelArtifact`'s; this keeps
/// account of which of them this run owns (the state lists them).
struct RunFiles {
    let run: TrainingRun

    var outputDir: URL { run.job.outputDir }
    var checkpointDir: URL? { run.job.checkpointDir }
    private var session: TrainingSession { run.session }

    func checkpointURL(epoch: Int) -> URL { outputDir.appendingPathComponent(ModelArtifact.paramsFileName(epoch: epoch)) }

    func saveState() throws {
        guard run.isRoot, let dir = checkpointDir else { return }
        let network = session.network
        try session.state.save(to: dir, arrays: network.store.export() + session.optimizer.stateArrays())
    }

    /// Writes checkpoint `epoch` into the output folder (and a copy into the checkpoint
    /// folder) and records it in the state, without `previous` when it is replaced.
    /// Returns the replaced checkpoint, to prune once the saved state no longer lists it.
    @discardableResult
    func writeCheckpoint(epoch: Int, replacing previous: Int? = nil) throws -> Int? {
        try ModelArtifact(parameters: session.network.store.export(), epoch: epoch, sideFiles: sideFiles()).write(to: outputDir)
        var kept = session.state.checkpoints.filter { $0 != epoch }
        var replaced: Int?
        if let previous, previous != epoch {
            kept.removeAll { $0 == previous }
            replaced = previous
        }
        session.state.checkpoints = kept + [epoch]
        if let dir = checkpointDir {
            // Keep a copy beside the state: a resumed job on a new machine restores it.
            try ModelArtifact.copy(ModelArtifact.paramsFileName(epoch: epoch), from: outputDir, to: dir)
        }
        return replaced
    }

    func prune(epoch: Int) {
        ModelArtifact.prune(epoch: epoch, in: [outputDir] + (checkpointDir.map { [$0] } ?? []))
    }

    /// Packs `model.tar.gz` from this run's checkpoints; files of earlier runs in the output
    /// folder stay out. A job folder's model folder is left as plain files (see `packsArchive`).
    func pack() throws -> URL {
        try FileManager.default.createDirectory(at: outputDir, withIntermediateDirectories: true)
        let present = Set(try ModelArtifact.checkpointFiles(in: outputDir))
        var checkpoints = try restoreCheckpoints(present: present)
        if checkpoints.isEmpty {
            // No checkpoint was due (e.g. checkpoint_frequency larger than the epochs run): the last weights.
            try writeCheckpoint(epoch: session.state.nextEpoch)
            checkpoints = [ModelArtifact.paramsFileName(epoch: session.state.nextEpoch)]
        }
        let stale = present.subtracting(checkpoints).sorted()
        if !stale.isEmpty {
            run.log.info("warning: \(outputDir.path) also holds \(stale.joined(separator: ", ")), not written by this run; left out of model.tar.gz")
        }
        // Refresh the side files with the whole history; pack them with this run's checkpoints.
        let names = try sideFiles().write(to: outputDir) + checkpoints
        guard run.job.packsArchive else { return outputDir }
        return try ModelArtifact.pack(names, in: outputDir)
    }

    /// This run's checkpoint files, sorted, each in the output folder: any that a resumed
    /// job kept only in the checkpoint folder is copied back first.
    private func restoreCheckpoints(present: Set<String>) throws -> [String] {
        let names = session.state.checkpoints.sorted().map(ModelArtifact.paramsFileName(epoch:))
        for name in names where !present.contains(name) {
            guard let dir = checkpointDir, ModelArtifact.holds(name, in: dir) else {
                throw TrainingError.badCheckpoint("the training state lists checkpoint \(name), which is neither in \(outputDir.path) nor in the checkpoint folder")
            }
            try ModelArtifact.copy(name, from: dir, to: outputDir)
        }
        return names
    }

    /// The files beside this run's weights: the whole history so far and the preprocessing
    /// the endpoint is to follow.
    private func sideFiles() -> ArtifactSideFiles {
        let hp = run.hp
        let contract = PreprocessingContract(imageShape: hp.imageShape, resize: hp.resize,
                                             validationShorterSide: session.validationSizes.shorterSide,
                                             numClasses: hp.numClasses, multiLabel: hp.multiLabel)
        return ArtifactSideFiles(symbol: session.network.symbol, imageShape: hp.imageShape, classNames: session.classNames,
                                 hyperparameters: hp.asStrings, history: session.state.history, preprocessing: contract)
    }
}
