import ImageData
import Foundation
import Graph
import Models

/// The weights training starts from: Xavier, or an earlier model's (incremental training),
/// or a model-zoo checkpoint's but the classifier (transfer learning); and the class weights
/// of use_weighted_loss.
extension TrainingSetup {
    /// Initialises the weights; returns the class names the artifact is to carry.
    /// `earlierModel` is `job.model` read (incremental training).
    func initializeWeights(_ network: TrainingNetwork, train: Channel.Opened?, earlierModel: ModelArtifact?) throws -> [String]? {
        let store = network.store
        Initializer.xavier(store, seed: job.seed &+ 1)
        var classNames = train.map { $0.classNames.count == hp.numClasses ? $0.classNames : nil } ?? nil
        if let model = job.model, let earlierModel {
            classNames = try loadIncremental(earlierModel, from: model, store: store) ?? classNames
        } else if hp.usePretrainedModel {
            try loadPretrained(store: store)
        }
        if hp.useWeightedLoss && !hp.multiLabel {
            // The service documents it as used only with multi_label=1, and accepts it otherwise.
            log.info("warning: use_weighted_loss=1 applies to multi-label training only (multi_label=1); ignored for this single-label job")
        }
        if hp.multiLabel && hp.useWeightedLoss {
            guard let train else { throw TrainingError.unsupported("use_weighted_loss=1 needs the label distribution, which a Pipe-mode channel cannot give before training; use File mode") }
            network.training.setClassWeights(try classWeights(train.source))
        }
        return classNames
    }

    /// Incremental training: the model channel must be the same network; returns its class names.
    func loadIncremental(_ artifact: ModelArtifact, from url: URL, store: ParameterStore) throws -> [String]? {
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

    /// Where the image looks for pretrained weights (its `IMGCLF_PRETRAINED_DIR`): the
    /// service ships them inside its image, ours has them mounted (docs/container.md).
    static let containerPretrainedFolder = "/opt/imgclf/pretrained"

    /// Transfer learning: every weight of the model-zoo checkpoint but `fc1`.
    func loadPretrained(store: ParameterStore) throws {
        let files = "resnet-\(hp.numLayers)-symbol.json and resnet-\(hp.numLayers)-0000.params (MXNet's model zoo)"
        let mount = "in the container, mount that folder at \(Self.containerPretrainedFolder): docker run -v /path/to/weights:\(Self.containerPretrainedFolder):ro IMAGE train (see docs/container.md)"
        guard let dir = job.pretrainedModelDir else {
            throw TrainingError.pretrained("a folder of pretrained weights is needed, holding \(files): pass --pretrained-model-dir DIR or set IMGCLF_PRETRAINED_DIR; \(mount)")
        }
        let params = dir.appendingPathComponent("resnet-\(hp.numLayers)-0000.params")
        guard FileManager.default.fileExists(atPath: params.path) else {
            throw TrainingError.pretrained("\(params.path) not found (looked in \(dir.path) for \(files)); \(mount)")
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
}
