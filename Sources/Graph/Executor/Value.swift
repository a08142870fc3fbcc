import Compute

/// One tensor flowing between ops, with its gradient when training.
///
/// A value that feeds several consumers receives several gradients during the backward
/// pass: the first one delivered is written straight into `grad`, later ones go to a
/// scratch tensor and are added in.
final class Value {
    let desc: MemoryDesc
    let tensor: Tensor
    private(set) var grad: Tensor?
    private var scratch: Tensor?
    private var accumulate: Accumulate?
    private var gradWritten = false

    init(_ desc: MemoryDesc, tensor: Tensor? = nil) {
        self.desc = desc
        self.tensor = tensor ?? Tensor(desc)
    }

    /// Training needs a gradient buffer for this value (or one supplied, e.g. a parameter's).
    func enableGradient(_ buffer: Tensor? = nil) {
        if grad == nil { grad = buffer ?? Tensor(desc) }
    }

    func resetGradient() { gradWritten = false }

    /// Whether any consumer delivered a gradient this pass (unused values have none).
    var hasGradient: Bool { gradWritten }

    /// Where the next consumer should write its gradient contribution.
    func gradientDestination() -> Tensor {
        if !gradWritten { return grad! }
        if scratch == nil { scratch = Tensor(desc, zeroed: false) }
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
    private let staged: Tensor?
    private let toWanted: Reorder?
    private var stagedGrad: Tensor?
    private var fromWanted: Reorder?

    init(_ value: Value, wants desc: MemoryDesc) {
        self.value = value
        self.desc = desc
        if desc == value.desc {
            staged = nil
            toWanted = nil
        } else {
            staged = Tensor(desc, zeroed: false)
            toWanted = Reorder(from: value.desc, to: desc)
        }
    }

    /// The input in the wanted layout; call `stage()` first each forward pass.
    var tensor: Tensor { staged ?? value.tensor }

    func stage() { toWanted?.run(value.tensor, staged!) }

    /// A buffer in the wanted layout for this input's gradient.
    func gradientDestination() -> Tensor {
        guard staged != nil else { return value.gradientDestination() }
        if stagedGrad == nil {
            stagedGrad = Tensor(desc, zeroed: false)
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
    private let staged: Tensor?
    private let reorder: Reorder?

    init(_ value: Value, wants desc: MemoryDesc) {
        self.value = value
        self.desc = desc
        if desc == value.desc {
            staged = nil
            reorder = nil
        } else {
            staged = Tensor(desc, zeroed: false)
            reorder = Reorder(from: value.desc, to: desc)
        }
    }

    /// The output's gradient in the wanted layout (converted on each call when needed).
    func fetch() -> Tensor {
        guard let staged, let reorder else { return value.grad! }
        reorder.run(value.grad!, staged)
        return staged
    }
}
