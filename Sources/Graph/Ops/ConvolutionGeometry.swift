import CDNNL
import Compute

/// A 2-D convolution's shapes, strides and paddings as oneDNN takes them, read once from
/// the node and the inferred shapes; shared by the training and the inference ops.
struct ConvolutionGeometry {
    let input: [Int]
    let weight: [Int]
    let output: [Int]
    let stride: [Int64]
    let padLeft: [Int64]
    let padRight: [Int64]
    /// oneDNN counts dilation from 0 (MXNet from 1).
    let dilation: [Int64]

    /// Only 2-D convolutions without groups run; anything else is refused by name.
    init(node: Node, input: [Int], weight: [Int], output: [Int]) throws {
        let groups = try node.int("num_group", default: 1)
        guard groups == 1, input.count == 4, weight.count == 4, output.count == 4 else {
            throw GraphError.invalidShape(node: node.name, op: node.op,
                                          detail: "only 2-D convolutions without groups are supported (data \(fmt(input)), weight \(fmt(weight)), num_group \(groups))")
        }
        let window = try Window(node, axes: 2, dilation: true)
        self.input = input
        self.weight = weight
        self.output = output
        stride = dims(window.stride)
        padLeft = dims(window.pad)
        padRight = dims([window.rightPad(0, input: input[2], output: output[2]), window.rightPad(1, input: input[3], output: output[3])])
        dilation = dims(window.dilate.map { $0 - 1 })
    }

    /// The forward descriptor, every layout left to oneDNN (`any`) unless given.
    func forwardDescriptor(_ node: Node, training: Bool, compute: dnnl_data_type_t, bias: MemoryDesc?,
                           source: MemoryDesc? = nil, destination: MemoryDesc? = nil,
                           algorithm: dnnl_alg_kind_t = dnnl_convolution_direct) throws -> dnnl_convolution_desc_t {
        try descriptor(node, training ? dnnl_forward_training : dnnl_forward_inference,
                       source: source ?? MemoryDesc.any(input, type: compute), weights: compute,
                       destination: destination ?? MemoryDesc.any(output, type: compute), bias: bias, algorithm: algorithm)
    }

    /// Whether the convolution is 3x3, stride 1 and not dilated, as oneDNN's Winograd kernels
    /// (F(2x2, 3x3) and F(4x4, 3x3)) need; oneDNN checks the rest (padding) when asked.
    var isWinogradShape: Bool {
        weight.count == 4 && weight[2] == 3 && weight[3] == 3 && stride.allSatisfy { $0 == 1 } && dilation.allSatisfy { $0 == 0 }
    }

    /// The int8 inference descriptor: u8 or s8 input, s8 weights, f32 output (`destination`
    /// when given, e.g. a residual summed in place).
    func int8Descriptor(_ node: Node, source: dnnl_data_type_t, bias: MemoryDesc?,
                        destination: MemoryDesc? = nil) throws -> dnnl_convolution_desc_t {
        try descriptor(node, dnnl_forward_inference, source: MemoryDesc.any(input, type: source), weights: dnnl_s8,
                       destination: destination ?? MemoryDesc.any(output, type: dnnl_f32), bias: bias)
    }

    private func descriptor(_ node: Node, _ prop: dnnl_prop_kind_t, source: MemoryDesc, weights weightType: dnnl_data_type_t,
                            destination: MemoryDesc, bias: MemoryDesc?,
                            algorithm: dnnl_alg_kind_t = dnnl_convolution_direct) throws -> dnnl_convolution_desc_t {
        var src = source.raw
        var weights = try MemoryDesc.any(weight, type: weightType).raw
        var dst = destination.raw
        var biasMd = bias?.raw
        var desc = dnnl_convolution_desc_t()
        try withOptionalPointer(&biasMd) { biasPtr in
            try check(dnnl_dilated_convolution_forward_desc_init(&desc, prop, algorithm, &src, &weights, biasPtr, &dst,
                                                                 stride, dilation, padLeft, padRight),
                      "describe convolution \(node.name)")
        }
        return desc
    }
}
