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
    /// Training: rebuilds this op's forward output into a tensor from what the op saved, so
    /// the executor may drop the output after the forward pass and rebuild it for the
    /// backward pass; nil when the op cannot.
    var recomputation: ((Tensor) -> Void)? { get }
    /// Training: whether this op may read an input that was dropped after the forward pass
    /// and rebuilt, into scratch, just before this op's backward step.
    var readsRecomputedInputs: Bool { get }
    /// Inference: the weights this op keeps derived from the parameters, in its primitive's
    /// layout (float32 and bf16 convolutions), for diagnostics and memory accounting.
    var derivedWeights: DerivedWeights? { get }
    /// Training: the inputs whose gradient is exactly this op's output gradient, in the same
    /// layout, so they may share its buffer (`GradientSharing`); the backward step then
    /// copies nothing into a shared one.
    var gradientPassThroughInputs: [Value] { get }
}

extension Op {
    func prepareScratch() throws {}
    func parametersChanged() {}
    var recomputation: ((Tensor) -> Void)? { nil }
    var readsRecomputedInputs: Bool { false }
    var derivedWeights: DerivedWeights? { nil }
    var gradientPassThroughInputs: [Value] { [] }
}

/// What an inference op derived from its node's parameters: its weights in the primitive's
/// layout (maybe shared with other executors of the store), every tensor it holds besides
/// the store's, and the oneDNN implementation that reads them.
struct DerivedWeights {
    /// The node's name.
    let node: String
    /// The implementation oneDNN chose (e.g. `jit_wino_4x3:avx512_core`).
    let implementation: String
    let packedWeights: Tensor
    let heldTensors: [Tensor]
}

/// The integer arrays oneDNN takes for strides, kernels and paddings.
func dims(_ values: [Int]) -> [Int64] { values.map(Int64.init) }
