import Compute
import Foundation
import Graph
import Models
import Testing
import Training

/// Inference convolutions as Winograd F(4x4, 3x3) (`ConvolutionAlgorithm.automatic`): which
/// convolutions take it, and that its results stay with the direct form's. `ParityTests`
/// checks both algorithms against MXNet's own outputs.
struct WinogradTests {
    /// On AVX-512, every 3x3 stride-1 convolution whose channels fill 16-channel blocks runs
    /// as Winograd and no other does; elsewhere, and with `.direct`, none does.
    @Test func threeByThreeStrideOneConvolutionsTakeWinogradOnAVX512() throws {
        let c = try ParityTests.load("parity-extra/resnet18-3x64x64")
        let store = ParameterStore()
        let automatic = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference)
        let direct = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference, convolutions: .direct)
        let convolutions = c.symbol.nodes.filter { $0.op == "Convolution" }
        #expect(automatic.convolutionImplementations.count == convolutions.count)
        var winograd = 0
        for node in convolutions {
            let window = try Window(node, axes: 2, dilation: true)
            let weight = try #require(store.argument("\(node.name)_weight")).dims
            let suits = window.kernel == [3, 3] && window.stride == [1, 1] && window.dilate == [1, 1]
                && weight[0] % 16 == 0 && weight[1] % 16 == 0
            let chosen = automatic.convolutionImplementations[node.name] ?? ""
            #expect(chosen.contains("wino") == (suits && DNNL.hasWinogradConvolution), "\(node.name) runs \(chosen)")
            #expect(!(direct.convolutionImplementations[node.name] ?? "wino").contains("wino"), "\(node.name) is not direct")
            if suits { winograd += 1 }
        }
        #expect(winograd >= 8, "the fixture has only \(winograd) convolutions Winograd suits")
    }

    /// ResNet-18 at 224x224 with Xavier weights (activations grow through 18 layers, unlike
    /// the small fixtures): Winograd's probabilities and logits stay with the direct form's.
    @Test func agreesWithTheDirectFormOnAResNet18At224() throws {
        let symbol = try ResNet.symbol(numLayers: 18, imageShape: [3, 224, 224], numClasses: 10)
        let store = ParameterStore()
        let shape = [2, 3, 224, 224]
        let automatic = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference)
        let direct = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference, convolutions: .direct)
        Initializer.xavier(store, seed: 7)
        var rng = SeededGenerator(seed: 11)
        let data = (0..<shape.reduce(1, *)).map { _ in Float.random(in: 0...255, using: &rng) }
        var outputs: [[Float]] = []
        for exec in [automatic, direct] {
            exec.setData(data)
            exec.forward()
            outputs.append(exec.output())
        }
        let difference = ParityTests.absoluteError(outputs[0], outputs[1])
        #expect(difference < 1e-5, "Winograd and direct probabilities differ by \(difference)")
        #expect(outputs[0].allSatisfy { $0.isFinite })
    }
}
