import Foundation
import Graph
import Models
import Testing

/// The training executor's memory plan on a real network: residual sums hand their gradient
/// to their branch and shortcut through one shared buffer, and fused BatchNorm+ReLU outputs
/// are kept when small and rebuilt when large. That the gradients stay right is checked
/// against MXNet (`ParityTests`) and finite differences (`GradientCheckTests`).
struct TrainingMemoryPlanTests {
    /// MXNet's ResNet-20 has three stages of three residual units; each stage's first unit
    /// has a projection shortcut. Every sum's output, its branch, and the projection (or, for
    /// identity shortcuts, the previous sum's output) share the stage's buffer: per stage
    /// three sums and three branches, and one projection, 7 values; 21 in all.
    @Test func residualChainsShareOneGradientBufferPerStage() throws {
        let symbol = try ResNet.symbol(numLayers: 20, imageShape: [3, 28, 28], numClasses: 10)
        let exec = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [2, 3, 28, 28], mode: .training)
        #expect(exec.sharedGradientValues == 3 * (3 + 3 + 1))
    }

    /// ResNet-20 at 28 px and batch 128 keeps its fused outputs (about 60 MB); with nothing
    /// allowed it rebuilds them, and its activation memory is smaller by at least that much.
    @Test func fusedOutputsAreKeptWhenSmallAndRebuiltWhenLarge() throws {
        let symbol = try ResNet.symbol(numLayers: 20, imageShape: [3, 28, 28], numClasses: 10)
        let keeping = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [128, 3, 28, 28], mode: .training)
        let rebuilding = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [128, 3, 28, 28], mode: .training,
                                      fusedOutputsKeptUpTo: 0)
        #expect(!keeping.recomputesFusedOutputs)
        #expect(rebuilding.recomputesFusedOutputs)
        // 18 fused outputs rebuilt into buffers shared by lifetime: each stage's 16, 32 or 64
        // channels of 28, 14 or 7 px, 128 images, 4 bytes; the largest is 6.4 MB.
        let oneFusedOutput = 128 * 16 * 28 * 28 * 4
        #expect(keeping.activationMemoryBytes - rebuilding.activationMemoryBytes > 4 * oneFusedOutput)
        #expect(keeping.activationMemoryBytes - rebuilding.activationMemoryBytes < Executor.fusedOutputsKeptByDefault)
    }

    /// ResNet-50 at 224 px and batch 32 is past the limit: it rebuilds, which is what keeps
    /// its step within PyTorch's memory (`bench/compare_compute.py --memory`). Shapes only:
    /// nothing this size is run here.
    @Test func resNet50At224RebuildsItsFusedOutputs() throws {
        let symbol = try ResNet.symbol(numLayers: 50, imageShape: [3, 224, 224], numClasses: 1000)
        let exec = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [32, 3, 224, 224], mode: .training)
        #expect(exec.recomputesFusedOutputs)
    }
}
