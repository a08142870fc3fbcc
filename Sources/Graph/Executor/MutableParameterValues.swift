import Compute

/// A `ParameterStore`'s tensors opened for writing by `withMutableValues`: whatever is
/// written through them moves the store's generation once the writing closure returns, so
/// inference executors refold the weights before their next pass.
public struct MutableParameterValues {
    let store: ParameterStore

    public var argumentNames: [String] { store.argumentNames }
    public var auxiliaryNames: [String] { store.auxiliaryNames }
    public func argument(_ name: String) -> Tensor? { store.argument(name) }
    public func auxiliary(_ name: String) -> Tensor? { store.auxiliary(name) }
    /// Gradients are written and read in place as ever; here for writers that use both
    /// (the optimizer reads one per weight, the dist_async exchange scales them).
    public func gradient(_ name: String) -> Tensor? { store.gradient(name) }
}
