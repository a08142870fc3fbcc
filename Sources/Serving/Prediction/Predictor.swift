import Compute
import ImageData
import Dispatch
import Foundation
import Graph
import Models

/// How a `Predictor` runs.
public struct PredictorOptions: Sendable {
    /// Largest batch one forward pass takes; bigger requests are split.
    public var maxBatch: Int
    /// Largest width x height of an input image (checked from the header, before decoding).
    public var maxPixels: Int
    /// Compiled executors kept (one per batch size seen, least recently used dropped first).
    public var cachedExecutors: Int
    /// Activation bytes the kept executors may hold together (the one in use always stays);
    /// a ResNet-18 3x224x224 executor holds about 25 MB per image of its batch, and compiling
    /// one for batch 16 takes about 0.2 s, so the budget should hold the sizes a load produces.
    public var executorMemoryBudget: Int
    /// Threads that decode and resize the images of a batch (before its forward pass).
    public var preprocessThreads: Int
    /// Overrides the artifact's image shape [C, H, W] (needed for a bare MXNet checkpoint
    /// without `model-shapes.json`).
    public var imageShape: [Int]?
    /// A specific `*-NNNN.params` when the artifact holds several.
    public var epoch: Int?
    /// The arithmetic of the forward pass: float32, or bfloat16 on CPUs with bf16
    /// instructions (convolutions, batch norm and pooling in bf16; the classifier in float32).
    public var precision: Precision
    /// Whether the convolutions of a quantized artifact (`quantization.json`) run in int8.
    public var int8: Int8Use

    /// See ``PredictorOptions/int8``.
    public enum Int8Use: Sendable, Equatable {
        /// Int8 when the artifact is quantized and `precision` is float32; float otherwise.
        case whenQuantized
        /// Int8; an artifact without `quantization.json` is refused.
        case required
        /// Float (`precision`), even for a quantized artifact.
        case never
    }

    public init(maxBatch: Int = 32, maxPixels: Int = 40_000_000, cachedExecutors: Int = 8,
                executorMemoryBudget: Int = 2 << 30,
                preprocessThreads: Int = ProcessInfo.processInfo.activeProcessorCount,
                imageShape: [Int]? = nil, epoch: Int? = nil, precision: Precision = .float32,
                int8: Int8Use = .whenQuantized) {
        self.maxBatch = maxBatch
        self.maxPixels = maxPixels
        self.cachedExecutors = cachedExecutors
        self.executorMemoryBudget = executorMemoryBudget
        self.preprocessThreads = preprocessThreads
        self.imageShape = imageShape
        self.epoch = epoch
        self.precision = precision
        self.int8 = int8
    }
}

/// A loaded model ready to classify: the artifact's graph compiled for inference, one
/// executor per batch size (compiled on first use and reused), and the preprocessing that
/// training's validation pass uses.
///
/// Not thread-safe: call `predict` from one thread at a time (the `DynamicBatcher`'s compute
/// thread, or a command's main thread); never from Swift's cooperative pool, because a
/// forward pass blocks for as long as oneDNN computes.
///
/// `@unchecked Sendable`: it is handed to the thread that runs it, and its mutable state (the
/// executor cache, the input buffer, the counters) is touched only by that one caller at a
/// time, as above; everything else is set in `init` and never changes.
public final class Predictor: @unchecked Sendable {
    public let imageShape: [Int]
    public let numClasses: Int
    /// Sigmoid head (independent probabilities) rather than softmax.
    public let multiLabel: Bool
    public let classNames: [String]?
    /// The artifact's `hyperparameters.json` as written (range-checked, not interpreted here).
    public let hyperparameters: [String: String]
    /// How images become the network's input, as training did it (``ModelArtifact/preprocessingContract(imageShape:)``).
    public let contract: PreprocessingContract
    public let source: String
    public let preprocessor: Preprocessor
    public let options: PredictorOptions
    /// The calibration the executors run with: set when the convolutions run in int8.
    public let quantization: QuantizationTable?
    /// The loaded checkpoint's validation accuracy, when the artifact's training history has it.
    public let validationAccuracy: Double?

    private let symbol: Symbol
    private let store = ParameterStore()
    private var executors: ExecutorCache
    private let workspaces: [AugmentWorkspace]
    private var input: UnsafeMutablePointer<Float>
    /// Every parameter's shape at batch 1; a graph whose parameters change shape with the
    /// batch size cannot run any other batch on the loaded weights.
    private var parameterShapes: [String: [Int]] = [:]
    /// The data and label variables, which follow the batch size.
    private let batchInputs: Set<String>

    /// Forward passes run so far (one per batch).
    public private(set) var forwardPasses = 0
    /// Called after every forward pass with the number of images in it.
    public var onForward: (@Sendable (Int) -> Void)?

    /// Loads an artifact (a `model.tar.gz` or a folder: ours, MXNet's or the service's).
    public convenience init(contentsOf url: URL, options: PredictorOptions = PredictorOptions()) throws {
        try self.init(artifact: ModelArtifact.load(from: url, epoch: options.epoch), options: options)
    }

    public init(artifact: ModelArtifact, options: PredictorOptions = PredictorOptions()) throws {
        guard let contract = artifact.preprocessingContract(imageShape: options.imageShape) else {
            throw PredictorError.noImageShape(source: artifact.source)
        }
        let shape = contract.imageShape
        let shapeOrigin = options.imageShape != nil ? "--image-shape" : "\(artifact.source): \(artifact.imageShapeFile)"
        let hyper = artifact.hyperparameters ?? [:]
        try ModelLimits.check(shape: shape, shapeOrigin: shapeOrigin, hyperparameters: hyper,
                              source: artifact.source, maxBatch: options.maxBatch)
        self.contract = contract
        imageShape = shape
        symbol = artifact.symbol
        source = artifact.source
        classNames = artifact.classNames
        hyperparameters = hyper
        validationAccuracy = EpochRecord.validationAccuracy(in: artifact.history, checkpoint: artifact.epoch)
        self.options = options
        multiLabel = contract.multiLabel
        let pre = Preprocessor(contract: contract, maxPixels: options.maxPixels)
        preprocessor = pre
        workspaces = (0..<max(1, options.preprocessThreads)).map { _ in pre.makeWorkspace() }
        input = .allocate(capacity: max(1, options.maxBatch) * pre.outputCount)
        executors = ExecutorCache(capacity: options.cachedExecutors, memoryBudget: options.executorMemoryBudget)
        batchInputs = artifact.symbol.batchInputs()

        switch options.int8 {
        case .required:
            guard let table = artifact.quantization else { throw PredictorError.notQuantized(source: artifact.source) }
            // An empty table would run every convolution in float32 under the name int8.
            guard !table.convolutions.isEmpty else { throw PredictorError.noQuantizedConvolution(source: artifact.source) }
            quantization = table
        case .whenQuantized: quantization = options.precision == .float32 ? artifact.quantization : nil
        case .never: quantization = nil
        }
        try ProbabilityHead.check(symbol, source: artifact.source)
        // Compile batch 1 now: it validates the graph and allocates every parameter to load into.
        if options.precision == .bfloat16 && !DNNL.supportsBFloat16 { throw PredictorError.precisionUnsupported(options.precision) }
        let first = try Executor(symbol: symbol, parameters: store, dataShape: [1] + shape, mode: .inference, precision: options.precision,
                                 quantization: quantization)
        let head = first.shapes.headShapes(of: symbol).first ?? []
        guard head.count == 2, head[0] == 1, head[1] > 0 else {
            throw PredictorError.badHead(source: artifact.source, shape: head)
        }
        numClasses = head[1]
        try store.load(artifact.parameters, source: artifact.source, requireAll: true)
        executors.insert(first, batch: 1)
        parameterShapes = first.shapes.parameterShapes(excluding: batchInputs)
    }

    deinit { input.deallocate() }

    /// The name of class `index` (the artifact's class names, else the index as text).
    public func className(_ index: Int) -> String {
        if let classNames, index < classNames.count { return classNames[index] }
        return String(index)
    }

    // MARK: - Predicting

    /// Classifies encoded images (JPEG or PNG): one result per image, probabilities of every
    /// class or why that image could not be read. Images are decoded on `preprocessThreads`
    /// threads, then run in batches of at most `maxBatch`.
    public func predict(_ images: [[UInt8]]) -> [Result<[Float], ImageInputError>] {
        var results: [Result<[Float], ImageInputError>] = []
        results.reserveCapacity(images.count)
        var start = 0
        while start < images.count {
            let end = min(images.count, start + max(1, options.maxBatch))
            results += predictChunk(Array(images[start..<end]))
            start = end
        }
        return results
    }

    private func predictChunk(_ images: [[UInt8]]) -> [Result<[Float], ImageInputError>] {
        // Decode each image into its own slot; compact the good ones afterwards.
        let count = images.count, size = preprocessor.outputCount
        let staging = UnsafeMutablePointer<Float>.allocate(capacity: count * size)
        defer { staging.deallocate() }
        var errors = [ImageInputError?](repeating: nil, count: count)
        let threads = min(workspaces.count, count)
        let pre = preprocessor
        errors.withUnsafeMutableBufferPointer { errs in
            // Each thread writes only its own slots of `staging` and `errs`.
            let shared = SharedScratch(staging: staging, errors: errs.baseAddress!, workspaces: workspaces)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var i = t
                while i < count {
                    do throws(ImageInputError) {
                        try pre.prepare(images[i], workspace: shared.workspaces[t], into: shared.staging + i * size)
                    } catch { shared.errors[i] = error }
                    i += threads
                }
            }
        }
        var good = 0
        for i in 0..<count where errors[i] == nil {
            (input + good * size).update(from: staging + i * size, count: size)
            good += 1
        }
        var probabilities: [Result<[Float], ImageInputError>] = []
        if good > 0 {
            do { probabilities = try forward(input, count: good).map(Self.finite) } catch {
                probabilities = Array(repeating: .failure(.modelFailed(error.description)), count: good)
            }
        }
        var results: [Result<[Float], ImageInputError>] = []
        var k = 0
        for i in 0..<count {
            if let error = errors[i] { results.append(.failure(error)); continue }
            results.append(probabilities[k])
            k += 1
        }
        return results
    }

    /// Probabilities that are all finite, else why not: NaN or infinite weights give NaN
    /// probabilities, which no JSON answer can carry.
    static func finite(_ probabilities: [Float]) -> Result<[Float], ImageInputError> {
        probabilities.allSatisfy(\.isFinite) ? .success(probabilities)
            : .failure(.modelFailed("the model's output is not finite (NaN or infinity): its weights are likely damaged"))
    }

    /// Runs preprocessed images (`count` x C x H x W floats) through the network; returns one
    /// probability vector per image. `count` may exceed `maxBatch` (split into several passes).
    /// Throws when the graph cannot run at a batch size it meets (for instance one whose
    /// shapes only hold at batch 1).
    public func forward(_ data: UnsafePointer<Float>, count: Int) throws(PredictorError) -> [[Float]] {
        var out: [[Float]] = []
        out.reserveCapacity(count)
        let size = preprocessor.outputCount
        var start = 0
        while start < count {
            let n = min(count - start, max(1, options.maxBatch))
            let executor = try executor(batch: n)
            executor.setData(data + start * size)
            do { try executor.forward() } catch { throw .forwardFailed(source: source, detail: error.description) }
            let flat = executor.output()
            forwardPasses += 1
            onForward?(n)
            for i in 0..<n { out.append(Array(flat[i * numClasses..<(i + 1) * numClasses])) }
            start += n
        }
        return out
    }

    /// The executor for batch size `n`, compiled on first use and kept in the cache
    /// (`ExecutorCache`: at most `cachedExecutors`, within `executorMemoryBudget`).
    private func executor(batch n: Int) throws(PredictorError) -> Executor {
        try executors.executor(batch: n) { (n: Int) throws(PredictorError) -> Executor in try compile(batch: n) }
    }

    /// Compiles the graph for batch `n`, refusing one whose parameters would change shape
    /// (compiling it would reallocate, and so lose, the loaded weights).
    private func compile(batch n: Int) throws(PredictorError) -> Executor {
        let dataShape = [n] + imageShape
        do {
            let shapes = try symbol.inferShapes(inputs: ["data": dataShape])
            if let dependent = InferredShapes.batchDependentParameter(parameterShapes, shapes.parameterShapes(excluding: batchInputs)) {
                throw PredictorError.batchDependent(
                    source: source, batch: n,
                    detail: "parameter \(dependent.name) has shape \(dependent.shape) at batch 1 but \(dependent.otherShape ?? []) at batch \(n)")
            }
            return try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .inference, precision: options.precision,
                                quantization: quantization)
        } catch let error as PredictorError {
            throw error
        } catch {
            throw .batchDependent(source: source, batch: n, detail: "\(error)")
        }
    }

    /// Batch sizes with a compiled executor (for tests and diagnostics).
    public var compiledBatchSizes: [Int] { executors.batchSizes }
}

/// Per-batch scratch handed to the preprocessing threads.
///
/// `@unchecked Sendable`: thread t writes only slots t, t + threads, ... of `staging` and
/// `errors` and uses only `workspaces[t]`, and the buffers outlive `concurrentPerform`, which
/// returns only when every thread is done.
private struct SharedScratch: @unchecked Sendable {
    let staging: UnsafeMutablePointer<Float>
    let errors: UnsafeMutablePointer<ImageInputError?>
    let workspaces: [AugmentWorkspace]
}
