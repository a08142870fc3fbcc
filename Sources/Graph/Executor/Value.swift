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

    init(_ desc: MemoryDesc, tensor: Tensor? = nil) {
        self.desc = desc
        let t = tensor ?? Tensor(desc)
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
    func enableGradient(_ buffer: Tensor? = nil) {
        if grad == nil { grad = buffer ?? Tensor(desc) }
    }

    func resetGradient() { gradWritten = false }

    /// Whether any consumer delivered a gradient this pass (unused values have none).
    var hasGradient: Bool { gradWritten }

    /// Where the next consumer should write its gradient contribution.
    func gradientDestination() -> Tensor {
        if !gradWritten { return grad! }
        if scratch == nil { scratch = arena?.scratch(slot: ScratchSlot.accumulation, desc) ?? Tensor(desc, zeroed: false) }
        return scratch!
    }

    /// Called after a consumer wrote into `gradientDestination()`.
    func gradientDelivered(_ written: Tensor) {
        if written !== grad {
            if accumulate == nil { accumulate = Accumulate(desc) }
            accumulate!.run(add: written, into: grad!)
        }
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
    init(_ value: Value, wants desc: MemoryDesc, arena: Arena? = nil, forwardStaging: Bool = true) {
        self.value = value
        self.desc = desc
        self.arena = arena
        if desc == value.desc {
            toWanted = nil
        } else {
            toWanted = Reorder(from: value.desc, to: desc)
            if let arena, !forwardStaging {
                arena.reserve(slot: ScratchSlot.backwardInput, desc)
            } else {
                staged = Tensor(desc, zeroed: false)
            }
            arena?.reserve(slot: ScratchSlot.inputGradient, desc)
        }
    }

    /// The input in the wanted layout; call `stage()` first.
    var tensor: Tensor { staged ?? value.tensor }

    func stage() {
        guard let toWanted else { return }
        if staged == nil { staged = arena!.scratch(slot: ScratchSlot.backwardInput, desc) }
        toWanted.run(value.tensor, staged!)
    }

    /// A buffer in the wanted layout for this input's gradient.
    func gradientDestination() -> Tensor {
        guard toWanted != nil else { return value.gradientDestination() }
        if stagedGrad == nil {
            stagedGrad = arena?.scratch(slot: ScratchSlot.inputGradient, desc) ?? Tensor(desc, zeroed: false)
            fromWanted = Reorder(from: desc, to: value.desc)
        }
        return stagedGrad!
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

    init(_ value: Value, wants desc: MemoryDesc, arena: Arena? = nil) {
        self.value = value
        self.desc = desc
        self.arena = arena
        if desc == value.desc {
            reorder = nil
        } else {
            reorder = Reorder(from: value.desc, to: desc)
            arena?.reserve(slot: ScratchSlot.outputGradient, desc)
        }
    }

    /// The output's gradient in the wanted layout (converted on each call when needed).
    func fetch() -> Tensor {
        guard let reorder else { return value.grad! }
        if staged == nil { staged = arena?.scratch(slot: ScratchSlot.outputGradient, desc) ?? Tensor(desc, zeroed: false) }
        reorder.run(value.grad!, staged!)
        return staged!
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
