import CDNNL
import Compute

/// How an inference executor computes its float32 convolutions.
public enum ConvolutionAlgorithm: String, Sendable, CaseIterable {
    /// Winograd where oneDNN has it and it pays (`InferenceConvolutionPlan.winogradPays`),
    /// direct elsewhere (the default).
    case automatic
    /// Every convolution direct: the same arithmetic as training's forward pass.
    case direct
    /// Winograd wherever oneDNN computes it, whether or not it pays (tests, experiments).
    case winograd
}

/// Chooses the oneDNN primitive an inference convolution runs, and its activation layout.
///
/// On AVX-512 a float32 3x3 stride-1 convolution with enough channels and work
/// (`winogradPays`) runs as Winograd: F(4x4, 3x3), 4x fewer multiplications than the direct
/// form, or F(2x2, 3x3) on small outputs, 2.25x fewer; oneDNN picks (ResNet-18 at 224x224:
/// 1.9x the images/s).
/// Its rounding differs from the direct form's by about 1e-6 relative, well inside the
/// parity tests' 1e-5 against MXNet. oneDNN's Winograd reads and writes 16-channel blocks
/// (nChw16c), so when it is available every other float32 convolution whose channels fit
/// those blocks uses that layout too: no reorder runs between neighbours. Elsewhere (AVX2,
/// bf16, `direct`) each layout is left to oneDNN.
enum InferenceConvolutionPlan {
    static func primitive(node: Node, geometry: ConvolutionGeometry, compute: dnnl_data_type_t, algorithm: ConvolutionAlgorithm,
                          bias: MemoryDesc?, addend: MemoryDesc?, attributes: PrimitiveAttributes) throws -> Primitive {
        let what = "create convolution \(node.name)"
        let blocked = algorithm != .direct && compute == dnnl_f32 && DNNL.hasWinogradConvolution
        let channels = (input: geometry.input[1], output: geometry.output[1])
        if blocked, geometry.isWinogradShape, channels.input % Self.block == 0, channels.output % Self.block == 0,
           algorithm == .winograd || Self.winogradPays(geometry) {
            var winograd = try geometry.forwardDescriptor(node, training: false, compute: compute, bias: bias, destination: addend,
                                                          algorithm: dnnl_convolution_winograd)
            // Unimplemented for these shapes (oneDNN checks more than the kernel size): direct.
            if let made = try? Primitive(desc: &winograd, attr: attributes.raw, what: what) { return made }
        }
        let blockedOutput = blocked && channels.output % Self.block == 0 ? try MemoryDesc(geometry.output, dnnl_aBcd16b, type: compute) : nil
        let destination = addend ?? blockedOutput
        // A residual in another layout (an int8 convolution's output, say) fixes the output's:
        // the input is then left to oneDNN too, which has no fast kernel for mixed layouts.
        let blockedOutputKept = addend == nil || (blockedOutput != nil && addend == blockedOutput)
        let source = blocked && blockedOutputKept && channels.input % Self.block == 0
            ? try MemoryDesc(geometry.input, dnnl_aBcd16b, type: compute) : nil
        var direct = try geometry.forwardDescriptor(node, training: false, compute: compute, bias: bias, source: source, destination: destination)
        return try Primitive(desc: &direct, attr: attributes.raw, what: what)
    }

    /// Channels per block of oneDNN's AVX-512 layouts (nChw16c).
    static let block = 16

    /// Whether Winograd beats the direct form here. Its transforms cost memory traffic that
    /// only enough channels and work repay: measured on 2 Zen 4 cores, it is no faster with
    /// 16 channels (ResNet-20 at 28x28, batch 128) and slower on small work (ResNet-32 at
    /// 28x28, batch 1: 0.91 ms against 0.72 ms); with it, whole networks at 224x224 run 1.2x
    /// (ResNet-50, batch 1) to 1.9x (ResNet-18, batch 32) faster, ResNet-20 at 28x28 1.25x.
    static func winogradPays(_ geometry: ConvolutionGeometry) -> Bool {
        let channels = min(geometry.input[1], geometry.output[1])
        // The direct form's multiply-adds, x2: batch x output channels x H x W x input channels x 9.
        let flops = 2.0 * Double(geometry.output.reduce(1, *)) * Double(geometry.input[1]) * 9
        return channels >= 32 && flops >= 20e6
    }
}

extension DNNL {
    /// Whether oneDNN has its float32 Winograd convolution here (AVX-512 and above).
    public static var hasWinogradConvolution: Bool {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        let avx512 = dnnl_cpu_isa_avx512_core.rawValue
        return isa & avx512 == avx512
    }
}
