import Compute
import Foundation
import Graph
import Models
import TestFixtures
import Testing
import Training

/// Inference convolutions as Winograd F(4x4, 3x3) (`ConvolutionAlgorithm.automatic`): which
/// convolutions take it, and that its results stay with the direct form's. `ParityTests`
/// checks both algorithms against MXNet's own outputs.
struct WinogradTests {
    /// Which convolutions run as Winograd, for each algorithm, on ResNet-18 at 64x64 (batch 4:
    /// 64 to 512 channels, 16x16 down to 2x2) and on the parity fixture's narrow ResNet-18
    /// (8 to 64 channels). On AVX-512: `.winograd` takes every 3x3 stride-1 convolution in
    /// 16-channel blocks; `.automatic` those of them with at least 32 channels in and out and
    /// 20 MFLOP of work; `.direct` none. Without AVX-512 none does.
    @Test(arguments: ConvolutionAlgorithm.allCases)
    func winogradRunsWhereTheAlgorithmSays(algorithm: ConvolutionAlgorithm) throws {
        let fixture = try ParityTests.load("parity-extra/resnet18-3x64x64")
        let wide = try ResNet.symbol(numLayers: 18, imageShape: [3, 64, 64], numClasses: 10)
        var taken = 0
        for (symbol, shape) in [(wide, [4, 3, 64, 64]), (fixture.symbol, fixture.dataShape)] {
            var winogradPlain = 0
            let store = ParameterStore()
            let exec = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference, convolutions: algorithm)
            let convolutions = symbol.nodes.filter { $0.op == "Convolution" }
            #expect(exec.convolutionImplementations.count == convolutions.count)
            for node in convolutions {
                let window = try Window(node, axes: 2, dilation: true)
                let weight = try #require(store.argument("\(node.name)_weight")).dims
                let index = try #require(symbol.nodeIndex(named: node.name))
                let output = try #require(exec.shapes.outputs[NodeEntry(node: index)])
                let work = 2 * output.reduce(1, *) * weight[1] * 9
                let computable = window.kernel == [3, 3] && window.stride == [1, 1] && window.dilate == [1, 1]
                    && weight[0] % 16 == 0 && weight[1] % 16 == 0
                let pays = computable && min(weight[0], weight[1]) >= 32 && work >= 20_000_000
                let expected = DNNL.hasWinogradConvolution && (algorithm == .winograd ? computable : algorithm == .automatic && pays)
                let chosen = exec.convolutionImplementations[node.name] ?? ""
                #expect(chosen.contains("wino") == expected, "\(node.name) (\(weight), output \(output)) runs \(chosen)")
                if expected {
                    taken += 1
                    winogradPlain += weight.reduce(4, *)
                }
            }
            // Winograd keeps its transformed weights (4x4 or 6x6 per 3x3 kernel: 16/9 or 4x the
            // plain ones): the serving cache counts them.
            let plain = convolutions.compactMap { store.argument("\($0.name)_weight")?.byteCount }.reduce(0, +)
            #expect(exec.packedWeightBytes >= plain + winogradPlain * 7 / 9)
        }
        if DNNL.hasWinogradConvolution && algorithm != .direct { #expect(taken >= 8, "only \(taken) convolutions took Winograd") }
    }

    /// ResNet-18 at 224x224 with Xavier weights (activations grow through 18 layers, unlike
    /// the small fixtures): Winograd's logits (the classifier's output, before a softmax that
    /// an untrained network saturates) stay within 1e-5 relative of the direct form's. On a
    /// CPU without AVX-512 both run direct, and this only checks that they agree.
    @Test func agreesWithTheDirectFormOnAResNet18At224() throws {
        let symbol = try ResNet.symbol(numLayers: 18, imageShape: [3, 224, 224], numClasses: 10)
        let store = ParameterStore()
        let shape = [2, 3, 224, 224]
        let automatic = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference)
        let direct = try Executor(symbol: symbol, parameters: store, dataShape: shape, mode: .inference, convolutions: .direct)
        Initializer.xavier(store, seed: 7)
        var rng = SeededGenerator(seed: 11)
        let data = (0..<shape.reduce(1, *)).map { _ in Float.random(in: 0...255, using: &rng) }
        var logits: [[Float]] = []
        for exec in [automatic, direct] {
            exec.setData(data)
            try exec.forward()
            logits.append(try #require(try exec.value(of: "fc1")))
        }
        let difference = ParityTests.relativeError(logits[0], logits[1])
        #expect(difference < 1e-5, "Winograd and direct logits differ by \(difference) relative")
        #expect(logits[0].allSatisfy { $0.isFinite } && Set(logits[1]).count > 1)
    }

    /// `imgclf benchmark --convolutions` takes the algorithms by name and refuses others.
    @Test func benchmarkTakesTheAlgorithmByName() throws {
        let common = ["benchmark", "--infer-only", "--num_layers", "20", "--image_shape", "1,28,28", "--mini_batch_size", "2",
                      "--iterations", "1", "--num_classes", "10"]
        let direct = try ImgclfBinary.run(common + ["--convolutions", "direct"])
        #expect(direct.status == 0 && direct.output.contains("\"convolutions\":\"direct\""), "\(direct.output)")
        let wrong = try ImgclfBinary.run(common + ["--convolutions", "fft"])
        #expect(wrong.status != 0 && wrong.output.contains("convolutions must be automatic, direct or winograd, got 'fft'"), "\(wrong.output)")
    }
}
