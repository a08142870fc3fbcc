import Compute
import Foundation

/// The model's learnable arguments (weights, biases, gammas, betas) and auxiliary states
/// (moving means and variances), in MXNet's plain layouts, with a gradient per argument.
///
/// Executors compiled for different shapes or modes share one store, so a training
/// executor and an inference executor see the same weights.
// Unchecked Sendable: the tensors are written by one thread at a time (the training loop, or a load before serving starts); readers run on that thread or after it has handed over.
public final class ParameterStore: @unchecked Sendable {
    public private(set) var argumentNames: [String] = []
    public private(set) var auxiliaryNames: [String] = []
    private var arguments: [String: Tensor] = [:]
    private var gradients: [String: Tensor] = [:]
    private var auxiliaries: [String: Tensor] = [:]
    /// Moves whenever the values may have changed: on every write path (`allocate`, `load`,
    /// `withMutableValues`, and a training executor's backward pass, which updates the moving
    /// statistics). Inference executors fold and convert the weights once and rebuild them
    /// when this moves, so a write that did not move it would leave them stale.
    public private(set) var generation = 0
    /// Inference executors' converted weights, shared between batch sizes.
    let packedWeights = PackedWeightCache()

    public init() {}

    /// Called by every write path once its values are written.
    func valuesWritten() { generation &+= 1 }

    /// Lets `body` write arguments and auxiliary states in place (an optimizer step, an
    /// initialiser, a weight exchange), then moves `generation`, also when `body` throws.
    /// The tensors are meant for `body` only: a write after it returns goes unseen.
    public func withMutableValues<T>(_ body: (MutableParameterValues) throws -> T) rethrows -> T {
        defer { valuesWritten() }
        return try body(MutableParameterValues(store: self))
    }

    /// Allocates every argument and auxiliary state of `symbol` for the given input shapes,
    /// initialised the way MXNet's defaults do: zeros, except gammas and moving variances at one.
    /// Existing entries are kept; one of another shape is an error (executors sharing a
    /// store must agree on every parameter, or one would silently reset the others' weights).
    /// New entries move `generation`; a store that already held them all does not (a server
    /// compiling another batch size must not make every executor refold its weights).
    public func allocate(for symbol: Symbol, shapes: InferredShapes, inputs: Set<String>) throws {
        let before = argumentNames.count + auxiliaryNames.count
        defer { if argumentNames.count + auxiliaryNames.count != before { valuesWritten() } }
        for name in symbol.argumentNames where !inputs.contains(name) {
            guard let shape = shapes.arguments[name], try isNew(name, shape, in: arguments) else { continue }
            arguments[name] = try Self.initialised(shape, ones: name.hasSuffix("_gamma"))
            gradients[name] = try Tensor(plain: shape)
            argumentNames.append(name)
        }
        for name in symbol.auxiliaryNames {
            guard let shape = shapes.auxiliary[name], try isNew(name, shape, in: auxiliaries) else { continue }
            auxiliaries[name] = try Self.initialised(shape, ones: name.hasSuffix("_moving_var"))
            auxiliaryNames.append(name)
        }
    }

    /// Whether `name` is not in `tensors` yet; an entry of another shape is an error.
    private func isNew(_ name: String, _ shape: [Int], in tensors: [String: Tensor]) throws -> Bool {
        guard let t = tensors[name] else { return true }
        guard t.dims == shape else { throw GraphError.shapeMismatch(array: name, expected: t.dims, found: shape) }
        return false
    }

    /// MXNet's default start: zeros, or ones for gammas and moving variances.
    private static func initialised(_ shape: [Int], ones: Bool) throws -> Tensor {
        let t = try Tensor(plain: shape)
        if ones { t.fill(1) }
        return t
    }

    /// An argument's values, to read; writes go through `withMutableValues`.
    public func argument(_ name: String) -> Tensor? { arguments[name] }
    /// An argument's gradient: the backward pass and the exchange write it, the optimizer
    /// reads it. Not part of `generation` (inference never reads gradients).
    public func gradient(_ name: String) -> Tensor? { gradients[name] }
    /// An auxiliary state's values, to read; writes go through `withMutableValues`.
    public func auxiliary(_ name: String) -> Tensor? { auxiliaries[name] }

    /// Copies values in by name (`arg:NAME` / `aux:NAME`, or bare names); every array must
    /// match the allocated shape. Returns the names that were loaded.
    /// With `requireAll`, every allocated argument and auxiliary state not in `skip` must be
    /// present, or the error lists the missing ones.
    @discardableResult
    public func load(_ arrays: [(name: String, array: NDArray)], source: String, skip: Set<String> = [],
                     requireAll: Bool = false) throws -> [String] {
        var loaded: [String] = []
        // Also when an array is refused part-way: those before it were copied in.
        defer { valuesWritten() }
        for (rawName, array) in arrays {
            let (kind, name) = ParameterStore.split(rawName)
            if skip.contains(name) { continue }
            let target: Tensor?
            switch kind {
            case "aux": target = auxiliaries[name]
            case "arg": target = arguments[name]
            default: target = arguments[name] ?? auxiliaries[name]
            }
            guard let target else { continue }
            guard target.dims == array.shape else {
                throw GraphError.shapeMismatch(array: "\(source): \(rawName)", expected: target.dims, found: array.shape)
            }
            target.copy(from: array.floats())
            loaded.append(name)
        }
        if requireAll {
            let present = Set(loaded).union(skip)
            let missing = (argumentNames + auxiliaryNames).filter { !present.contains($0) }
            if !missing.isEmpty {
                throw GraphError.malformedParams(file: source, location: "arrays",
                                                 detail: "missing \(missing.count) array(s) the graph needs: \(missing.prefix(8).joined(separator: ", "))\(missing.count > 8 ? ", ..." : "")")
            }
        }
        return loaded
    }

    /// Everything as MXNet's `arg:`/`aux:` named arrays, ready for `ParamsFile.write`.
    public func export() -> [(name: String, array: NDArray)] {
        argumentNames.compactMap { name in arguments[name].map { ("arg:" + name, NDArray(shape: $0.dims, floats: $0.toArray())) } }
            + auxiliaryNames.compactMap { name in auxiliaries[name].map { ("aux:" + name, NDArray(shape: $0.dims, floats: $0.toArray())) } }
    }

    static func split(_ name: String) -> (String, String) {
        if name.hasPrefix("arg:") { return ("arg", String(name.dropFirst(4))) }
        if name.hasPrefix("aux:") { return ("aux", String(name.dropFirst(4))) }
        return ("", name)
    }
}
