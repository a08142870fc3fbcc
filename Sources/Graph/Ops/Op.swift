import CDNNL
import Compute

/// One compiled step of an executor: primitives created once for a shape and mode,
/// run every iteration over preallocated tensors.
protocol Op: AnyObject {
    /// The value this op produces.
    var output: Value { get }
    /// The values it reads (and, training, sends gradients to).
    var inputs: [Value] { get }
    /// Makes the scratch tensors of a training executor, after every op has reserved its
    /// arena slots (so nothing is allocated, and nothing can fail, mid-pass).
    func prepareScratch() throws
    /// Runs the forward pass (training mode uses batch statistics).
    func forward()
    /// Propagates the output gradient to the inputs (training executors only).
    func backward()
    /// Rebuilds what an inference op derives from the parameters (folded, converted
    /// weights); the executor calls it before a forward pass when the store has changed.
    func parametersChanged()
}

extension Op {
    func prepareScratch() throws {}
    func parametersChanged() {}
}

/// The integer arrays oneDNN takes for strides, kernels and paddings.
func dims(_ values: [Int]) -> [Int64] { values.map(Int64.init) }
