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
        // Rebuilt, the fused outputs share buffers by lifetime; the largest of them is 16
        // channels of 28x28 for 128 images, 6.4 MB, and the first stage alone has several.
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

    /// `y = relu(x) + relu(x) + ...` with `sums` sums, under a logistic head whose gradient is p - label.
    static func chainOfSums(_ sums: Int) throws -> Executor {
        var g = GraphBuilder()
        let x = g.variable("data")
        var y = g.activation(x, name: "r0")
        for i in 1...sums { y = g.add(y, g.activation(x, name: "r\(i)")) }
        let head = g.output("LogisticRegressionOutput", g.op("Flatten", name: "flat", inputs: [y]), name: "out")
        var symbol = g.symbol(heads: [head])
        symbol.nodes[head.node].attrs["grad_scale"] = "4"   // 4 outputs per sample: the gradient is p - label
        return try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [1, 1, 2, 2], mode: .training)
    }

    /// A chain of sums is one group: every sum's output and both its inputs, 2 per sum and the root.
    @Test func aChainOfSumsSharesOneBuffer() throws {
        #expect(try Self.chainOfSums(50).sharedGradientValues == 2 * 50 + 1)
    }

    /// A symbol file may chain thousands of sums; planning them costs the square of the
    /// chain's length, so the planner stops at its budget and the rest copy. The step stays
    /// right: 2001 ReLUs of x summed, under a logistic head with label 0, saturate to p = 1
    /// where x > 0 and p = 1/2 where x < 0, so the data's gradient is exactly 2001 where
    /// x > 0 and 0 where relu's gradient is 0.
    @Test(.timeLimit(.minutes(1)))
    func aLongChainOfSumsIsPlannedWithinItsBudget() throws {
        let exec = try Self.chainOfSums(2000)
        #expect(exec.sharedGradientValues > 0)
        #expect(exec.sharedGradientValues < 2 * 2000 + 1, "the budget stopped the planner before the whole chain")
        exec.setData([0.5, -0.5, 1, -1])
        exec.setLabels([0, 0, 0, 0])
        try exec.forward()
        try exec.backward()
        #expect(exec.dataGradient() == [2001, 0, 2001, 0])
    }
}
