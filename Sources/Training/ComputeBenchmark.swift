import Compute
import Foundation
import Graph
import Models

/// Training and inference throughput of the ResNet on synthetic data, for
/// `imgclf benchmark` and the side-by-side comparison in `bench/`.
public enum ComputeBenchmark {
    public struct Result: Sendable, Codable {
        public var num_layers: Int
        public var image_shape: String
        public var mini_batch_size: Int
        public var precision_dtype: String
        public var train_img_s: Double
        public var infer_img_s: Double
        public var train_step_ms: Double
        public var infer_batch_ms: Double
        public var peak_rss_mib: Double
        /// The training plan's memory: kept activations, and gradients with scratch.
        public var train_activation_mib: Double
        public var train_gradient_mib: Double
        /// Inference convolutions: automatic (Winograd where it pays), direct or winograd.
        public var convolutions: String
    }

    /// A training iteration is forward, backward and an SGD update; medians are taken
    /// over `iterations` after `warmup` untimed iterations.
    public static func run(numLayers: Int, imageShape: [Int], batch: Int, numClasses: Int = 1000,
                           iterations: Int = 10, warmup: Int = 2, train: Bool = true, infer: Bool = true,
                           precision: Precision = .float32, int8: Bool = false,
                           convolutions: ConvolutionAlgorithm = .automatic, profile: TrainingProfile? = nil) throws -> Result {
        let symbol = try ResNet.symbol(numLayers: numLayers, imageShape: imageShape, numClasses: numClasses)
        let store = ParameterStore()
        let dataShape = [batch] + imageShape
        var rng = SeededGenerator(seed: 42)
        let data = (0..<dataShape.reduce(1, *)).map { _ in Float.random(in: 0..<255, using: &rng) }
        let labels = (0..<batch).map { _ in Float(Int.random(in: 0..<numClasses, using: &rng)) }

        var trainMs = 0.0, inferMs = 0.0
        var activationBytes = 0, gradientBytes = 0
        if train {
            let exec = try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .training, precision: precision)
            Initializer.xavier(store, seed: 1)
            let sgd = SGD(learningRate: 0.01, momentum: 0.9, weightDecay: 1e-4, rescaleGrad: 1 / Float(batch))
            exec.setData(data)
            exec.setLabels(labels)
            exec.profile = profile?.executor
            trainMs = try median(iterations: iterations, warmup: warmup, warmedUp: { profile?.reset() }) {
                try exec.forward()
                try exec.backward()
                if let profile { try profile.time(.optimizer) { try sgd.update(store) } } else { try sgd.update(store) }
            }
            exec.profile = nil
            activationBytes = exec.activationMemoryBytes
            gradientBytes = exec.gradientMemoryBytes
        }
        if infer {
            var exec = try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .inference, precision: precision,
                                    preservesValues: int8, convolutions: convolutions)
            if !train { Initializer.xavier(store, seed: 1) }
            exec.setData(data)
            if int8 {
                // Int8: calibrated on the synthetic batch itself (the speed does not depend on the scales).
                try exec.forward()
                var calibrator = QuantizationCalibrator(symbol: symbol)
                try calibrator.observe(exec, count: batch)
                exec = try Executor(symbol: symbol, parameters: store, dataShape: dataShape, mode: .inference, quantization: calibrator.table(),
                                    convolutions: convolutions)
                exec.setData(data)
            }
            inferMs = try median(iterations: iterations, warmup: warmup) {
                try exec.forward()
                _ = exec.output()
            }
        }
        let shape = imageShape.map(String.init).joined(separator: ",")
        return Result(num_layers: numLayers, image_shape: shape, mini_batch_size: batch, precision_dtype: int8 ? "int8" : precision == .float32 ? "float32" : "float16 (bf16 mixed precision)",
                      train_img_s: train ? Double(batch) / (trainMs / 1000) : 0,
                      infer_img_s: infer ? Double(batch) / (inferMs / 1000) : 0,
                      train_step_ms: trainMs, infer_batch_ms: inferMs, peak_rss_mib: peakResidentMiB(),
                      train_activation_mib: Double(activationBytes) / 1_048_576, train_gradient_mib: Double(gradientBytes) / 1_048_576,
                      convolutions: convolutions.rawValue)
    }

    static func median(iterations: Int, warmup: Int, warmedUp: () -> Void = {}, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<warmup { try body() }
        warmedUp()
        var times: [Double] = []
        for _ in 0..<max(iterations, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        times.sort()
        return times[times.count / 2]
    }

    /// The process's peak resident set (VmHWM), in MiB.
    public static func peakResidentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kb / 1024
        }
        return 0
    }
}
