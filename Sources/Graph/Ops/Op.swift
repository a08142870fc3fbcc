import CDNNL
import Compute

/// One compiled step of an executor: primitives created once for a shape and mode,
/// run every iteration over preallocated tensors.
protocol Op: AnyObject {
    /// The value this op produces.
    var output: Value { get }
    /// The values it reads (and, training, sends gradients to).
    var inputs: [Value] { get }
    /// Runs the forward pass (training mode uses batch statistics).
    func forward()
    /// Propagates the output gradient to the inputs (training executors only).
    func backward()
}

/// The integer arrays oneDNN takes for strides, kernels and paddings.
func dims(_ values: [Int]) -> [Int64] { values.map(Int64.init) }

/// The spatial output size MXNet's Convolution and Pooling compute (`valid` convention).
func outputSize(_ input: Int, kernel: Int, stride: Int, pad: Int, dilate: Int = 1, full: Bool = false) -> Int {
    let k = dilate * (kernel - 1) + 1
    let span = input + 2 * pad - k
    return (full ? (span + stride - 1) / stride : span / stride) + 1
}

/// The right padding oneDNN needs to produce exactly `output` positions.
func rightPad(input: Int, output: Int, kernel: Int, stride: Int, padLeft: Int, dilate: Int = 1) -> Int {
    (output - 1) * stride + dilate * (kernel - 1) + 1 - input - padLeft
}
