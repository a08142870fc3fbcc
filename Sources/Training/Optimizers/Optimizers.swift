import Compute
import Foundation
import Graph

/// Updates a model's weights from its gradients, the way one of MXNet's optimizers does.
///
/// Every optimizer here follows MXNet 1.9.1's rules exactly (its Python `Optimizer`
/// classes and the C++ `*_update` kernels): gradients are multiplied by ``rescaleGrad``
/// (1 / batch), weight decay applies only to parameters whose names end in `_weight` or
/// `_gamma` (MXNet's `set_wd_mult` once parameter names are known), and ``updateCount`` is
/// MXNet's `num_update`, counted before each update. Its state can be saved with the
/// checkpoints and loaded again to resume.
public protocol Optimizer: AnyObject {
    /// MXNet's name for it: `sgd`, `nag`, `adam` or `rmsprop`.
    var name: String { get }
    /// The rate used by the next ``update(_:)`` (replaced from ``schedule`` when one is set).
    var learningRate: Float { get set }
    /// When set, each update first takes its rate from the schedule for its update number.
    var schedule: LearningRateSchedule? { get set }
    /// Updates applied so far (MXNet's `num_update`).
    var updateCount: Int { get set }
    /// Multiplies every gradient before use (MXNet's `rescale_grad`, usually 1 / batch).
    var rescaleGrad: Float { get set }
    var weightDecay: Float { get set }
    /// Applies one update to every argument that has a gradient.
    func update(_ parameters: ParameterStore) throws
    /// The optimizer's state: one array per parameter and state kind (`opt:NAME:mom`, ...)
    /// and the update count as `opt:num_update` (int64), ready to go into a `.params` file
    /// beside the model's `arg:`/`aux:` arrays.
    func stateArrays() -> [(name: String, array: NDArray)]
    /// Restores what ``stateArrays()`` gave (names with or without the `opt:` prefix).
    /// With `parameters`, every array must belong to one of its arguments, with its shape.
    func loadState(_ arrays: [(name: String, array: NDArray)], parameters: ParameterStore?) throws(OptimizerStateError)
}

extension Optimizer {
    /// Restores the state without checking it against the model's parameters.
    public func loadState(_ arrays: [(name: String, array: NDArray)]) throws(OptimizerStateError) {
        try loadState(arrays, parameters: nil)
    }
}

extension Optimizer {
    /// MXNet's rule for weight decay once parameter names are known: weights and gammas only.
    public static func decays(_ name: String) -> Bool { name.hasSuffix("_weight") || name.hasSuffix("_gamma") }
}

/// The optimizer family, by SageMaker's `optimizer` names.
public enum Optimizers {
    /// Builds the optimizer SageMaker's algorithm uses for these hyperparameters, at the base
    /// learning rate. The step schedule is the caller's: set ``Optimizer/learningRate`` from a
    /// ``LearningRateSchedule`` before each update, or assign it to ``Optimizer/schedule``.
    ///
    /// As SageMaker documents, `weight_decay` applies to sgd and nag and is ignored by the
    /// others, `momentum` to sgd and nag, `beta_1`/`beta_2` to adam, `gamma` to rmsprop (MXNet's
    /// `gamma1`) and `eps` to adam and rmsprop.
    public static func make(_ hp: Hyperparameters, rescaleGrad: Float) -> any Optimizer {
        let lr = Float(hp.learningRate)
        switch hp.optimizer {
        case .adam:
            return Adam(learningRate: lr, beta1: hp.beta1, beta2: hp.beta2, epsilon: Float(hp.eps), weightDecay: 0, rescaleGrad: rescaleGrad)
        case .rmsprop:
            return RMSProp(learningRate: lr, gamma1: Float(hp.gamma), epsilon: Float(hp.eps), weightDecay: 0, rescaleGrad: rescaleGrad)
        case .nag:
            return NAG(learningRate: lr, momentum: Float(hp.momentum), weightDecay: Float(hp.weightDecay), rescaleGrad: rescaleGrad)
        case .sgd:
            return SGD(learningRate: lr, momentum: Float(hp.momentum), weightDecay: Float(hp.weightDecay), rescaleGrad: rescaleGrad)
        }
    }
}

/// What the optimizers share: the counters, the weight-decay rule, the loop over
/// parameters, and per-parameter state arrays created at zero on first use.
public class ElementwiseOptimizer: Optimizer {
    public var name: String { "" }
    public var learningRate: Float
    public var schedule: LearningRateSchedule?
    public var updateCount = 0
    public var rescaleGrad: Float
    public var weightDecay: Float
    /// The state kinds each parameter has (e.g. `mom`; `mean`, `var`).
    let slots: [String]
    private var state: [String: [Tensor]] = [:]
    private var stateOrder: [String] = []

    init(learningRate: Float, weightDecay: Float, rescaleGrad: Float, slots: [String]) {
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.rescaleGrad = rescaleGrad
        self.slots = slots
    }

    public func update(_ parameters: ParameterStore) throws {
        // MXNet counts the update before asking the scheduler for its rate.
        updateCount += 1
        if let schedule { learningRate = schedule.rate(forUpdate: updateCount) }
        let lr = stepRate()
        try parameters.withMutableValues { values in
            for name in values.argumentNames {
                guard let w = values.argument(name), let g = values.gradient(name) else { continue }
                let wd = Self.decays(name) ? weightDecay : 0
                let states = slots.isEmpty ? [] : try stateTensors(name, like: w).map(\.floats)
                step(weight: w.floats, grad: g.floats, count: w.elementCount, states: states, lr: lr, wd: wd)
            }
        }
    }

    /// The rate the kernel gets for this update (Adam folds its bias correction in here).
    func stepRate() -> Float { learningRate }

    /// One parameter's update, element by element, in the order MXNet's kernel computes it.
    func step(weight: UnsafeMutableBufferPointer<Float>, grad: UnsafeMutableBufferPointer<Float>, count: Int,
              states: [UnsafeMutableBufferPointer<Float>], lr: Float, wd: Float) {
        preconditionFailure("\(Self.self) must override step")
    }

    /// A parameter's state, made (zeroed) at its first update; fails only when the host
    /// cannot allocate it.
    private func stateTensors(_ name: String, like weight: Tensor) throws -> [Tensor] {
        if let tensors = state[name], tensors[0].dims == weight.dims { return tensors }
        let tensors = try slots.map { _ in try Tensor(weight.desc) }
        if state[name] == nil { stateOrder.append(name) }
        state[name] = tensors
        return tensors
    }

    public func stateArrays() -> [(name: String, array: NDArray)] {
        var out: [(name: String, array: NDArray)] = []
        for name in stateOrder {
            for (slot, tensor) in zip(slots, state[name]!) {
                out.append(("opt:\(name):\(slot)", NDArray(shape: tensor.dims, floats: tensor.toArray())))
            }
        }
        let count = UInt64(updateCount)
        out.append(("opt:num_update", NDArray(shape: [1], dtype: .int64, bytes: (0..<8).map { UInt8(truncatingIfNeeded: count >> (8 * $0)) })))
        return out
    }

    public func loadState(_ arrays: [(name: String, array: NDArray)], parameters: ParameterStore?) throws(OptimizerStateError) {
        var loaded: [String: [Tensor?]] = [:]
        var order: [String] = []
        var shapes: [String: [Int]] = [:]
        var count: Int?
        for (fullKey, array) in arrays {
            let key = fullKey.hasPrefix("opt:") ? String(fullKey.dropFirst(4)) : fullKey
            if key == "num_update" {
                let values = array.doubles()
                guard values.count == 1, let v = values.first, v >= 0, v == v.rounded(), v < 1e15 else {
                    throw .badUpdateCount(found: "\(values.prefix(4))")
                }
                count = Int(v)
                continue
            }
            guard let colon = key.lastIndex(of: ":"), let slot = slots.firstIndex(of: String(key[key.index(after: colon)...])) else {
                throw .unknownArray(name: fullKey, optimizer: name, expected: slots.joined(separator: "|"))
            }
            let parameter = String(key[..<colon])
            let expected: [Int]
            if let parameters {
                guard let weight = parameters.argument(parameter) else { throw .unknownParameter(name: fullKey) }
                expected = weight.dims
            } else {
                // Without the model, the kinds of one parameter must at least agree.
                expected = shapes[parameter] ?? array.shape
            }
            guard expected == array.shape else { throw .shapeMismatch(name: fullKey, expected: expected, found: array.shape) }
            shapes[parameter] = expected
            let tensor: Tensor
            do { tensor = try Tensor(plain: array.shape) } catch { throw .unallocatable(name: fullKey, reason: "\(error)") }
            tensor.copy(from: array.floats())
            if loaded[parameter] == nil { order.append(parameter); loaded[parameter] = Array(repeating: nil, count: slots.count) }
            loaded[parameter]![slot] = tensor
        }
        var newState: [String: [Tensor]] = [:]
        for name in order {
            let kinds = loaded[name] ?? []
            guard let template = kinds.compactMap({ $0 }).first else { continue }
            // A kind missing from the file starts at zero, as MXNet's fresh state would.
            var tensors: [Tensor] = []
            for kind in kinds {
                if let kind { tensors.append(kind); continue }
                do { tensors.append(try Tensor(template.desc)) } catch { throw .unallocatable(name: name, reason: "\(error)") }
            }
            newState[name] = tensors
        }
        state = newState
        stateOrder = order
        if let count { updateCount = count }
    }
}
