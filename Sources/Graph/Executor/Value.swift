import Compute

/// One tensor flowing between ops, with its gradient when training.
///
/// A value that feeds several consumers receives several gradients during the backward
/// pass: the first one delivered is written straight into `grad`, later ones go to a
/// scratch tensor and are added in.
final class Value {
    let desc: MemoryDesc
    /// The values; during a backward step a recomputed value points at scratch instead.
    var tensor: Tensor
    /// Where the forward pass keeps the values.
    private(set) var forwardTensor: Tensor
    /// Set for values that training does not keep for the backward pass: they are
    /// recomputed into the given tensor when a backward step needs them (a fused
    /// BatchNorm+ReLU output, from the saved batch statistics).
    var recompute: ((Tensor) -> Void)?
    /// The scratch tensor a recomputed value is rebuilt into.
    var backwardTensor: Tensor?
    private(set) var grad: Tensor?
    private var scratch: Tensor?
    private var accumulate: Accumulate?
    private var gradWritten = false
    /// Where scratch for gradient accumulation comes from (training executors).
    var arena: Arena?

    init(_ desc: MemoryDesc, tensor: Tensor? = nil) throws {
        self.desc = desc
        let t = try tensor ?? Tensor(desc)
        self.tensor = t
        forwardTensor = t
    }

    /// Moves the forward values to a buffer shared with other values (memory planning).
    func relocate(to t: Tensor) {
        tensor = t
        forwardTensor = t
    }

    func useForwardTensor() { tensor = forwardTensor }

    /// Gives this value a gradient buffer: its own, or one supplied (a parameter's
    /// gradient, or a buffer the executor's memory plan shares between values).
    func enableGradient(_ buffer: Tensor? = nil) throws {
        if grad == nil { grad = try buffer ?? Tensor(desc) }
    }

    /// A value with several consumers adds their gradients: its scratch and sum primitive
    /// are made at compile time (after the arena's reservations), never mid-pass.
    func prepareAccumulation() throws {
        if scratch == nil { scratch = try arena?.scratch(slot: ScratchSlot.accumulation, desc) ?? Tensor(desc, zeroed: false) }
        if accumulate == nil { accumulate = try Accumulate(desc) }
    }

    func resetGradient() { gradWritten = false }

    /// Whether the training plan gave this value a gradient buffer.
    var hasGradientBuffer: Bool { grad != nil }

    /// Whether any consumer delivered a gradient this pass (unused values have none).
    var hasGradient: Bool { gradWritten }

    /// The gradient to read in a backward step (the training plan gives every value one).
    var gradient: Tensor { grad ?? forwardTensor }

    /// Where the next consumer should write its gradient contribution. The training
    /// plan gives every value a gradient, and multi-consumer values their scratch.
    func gradientDestination() -> Tensor {
        guard let grad, let scratch else { return grad ?? forwardTensor }
        return gradWritten ? scratch : grad
    }

    /// Called after a consumer wrote into `gradientDestination()`.
    func gradientDelivered(_ written: Tensor) {
        if let grad, written !== grad, let accumulate { accumulate.run(add: written, into: grad) }
        gradWritten = true
    }
}

/// An op's view of one input in the layout its primitive wants; converts on the way in
/// (forward) and converts the gradient back on the way out (backward) when the layouts differ.
final class InputPort {
    let value: Value
    let desc: MemoryDesc
    private var staged: Tensor?
    private let toWanted: Reorder?
    private var stagedGrad: Tensor?
    private var fromWanted: Reorder?
    private let arena: Arena?

    /// `arena` (training) provides the gradient conversion buffer, shared by all ops.
    /// `forwardStaging` false: the staged input is only needed within a backward step,
    /// so it lives in shared scratch too. Scratch tensors are made on first use, after
    /// compilation has reserved every slot's size.
    init(_ value: Value, wants desc: MemoryDesc, arena: Arena? = nil, forwardStaging: Bool = true) throws {
        (self.value, self.desc, self.arena) = (value, desc, arena)
        toWanted = try Reorder.ifNeeded(from: value.desc, to: desc)
        guard toWanted != nil else { return }
        if let arena, !forwardStaging {
            arena.reserve(slot: ScratchSlot.backwardInput, desc)
        } else {
            staged = try Tensor(desc, zeroed: false)
        }
        arena?.reserve(slot: ScratchSlot.inputGradient, desc)
        if arena != nil { fromWanted = try Reorder(from: desc, to: value.desc) }
    }

    /// Makes the scratch tensors, once every op has reserved its slots.
    func prepareScratch() throws {
        guard toWanted != nil else { return }
        if staged == nil, let arena { staged = try arena.scratch(slot: ScratchSlot.backwardInput, desc) }
        if stagedGrad == nil, let arena { stagedGrad = try arena.scratch(slot: ScratchSlot.inputGradient, desc) }
    }

    /// The input in the wanted layout; call `stage()` first.
    var tensor: Tensor { staged ?? value.tensor }

    func stage() {
        guard let toWanted, let staged else { return }
        toWanted.run(value.tensor, staged)
    }

    /// A buffer in the wanted layout for this input's gradient.
    func gradientDestination() -> Tensor {
        guard fromWanted != nil, let stagedGrad else { return value.gradientDestination() }
        return stagedGrad
    }

    func gradientDelivered(_ written: Tensor) {
        if let fromWanted, written === stagedGrad {
            let destination = value.gradientDestination()
            fromWanted.run(written, destination)
            value.gradientDelivered(destination)
        } else {
            value.gradientDelivered(written)
        }
    }
}

/// A gradient arriving in one layout, read by a primitive that wants another.
final class GradientPort {
    let value: Value
    let desc: MemoryDesc
    private var staged: Tensor?
    private let reorder: Reorder?
    private let arena: Arena?

    init(_ value: Value, wants desc: MemoryDesc, arena: Arena? = nil) throws {
        (self.value, self.desc, self.arena) = (value, desc, arena)
        reorder = try Reorder.ifNeeded(from: value.desc, to: desc)
        guard reorder != nil else { return }
        if let arena { arena.reserve(slot: ScratchSlot.outputGradient, desc) } else { staged = try Tensor(desc, zeroed: false) }
    }

    /// Makes the scratch tensor, once every op has reserved its slots.
    func prepareScratch() throws {
        if reorder != nil, staged == nil, let arena { staged = try arena.scratch(slot: ScratchSlot.outputGradient, desc) }
    }

    /// The output's gradient in the wanted layout (converted on each call when needed).
    func fetch() -> Tensor {
        let grad = value.gradient
        guard let reorder, let staged else { return grad }
        reorder.run(grad, staged)
        return staged
    }
}

/// Scratch slots of a training executor's arena: buffers that live within one op's
/// backward step, shared by every op. Distinct slots may be in use at the same time.
enum ScratchSlot {
    static let accumulation = 0
    static let inputGradient = 1
    static let outputGradient = 2
    static let backwardInput = 3
    static let recomputed = 4
}
