import Graph

/// What data-parallel training needs from the engine that connects the workers (MPI in
/// `imgclf`; nothing at all for a single process). The trainer calls it at fixed points,
/// so every worker makes the same calls in the same order.
public protocol Collective: AnyObject {
    /// This worker's index, 0 ..< size. Rank 0 alone writes the log, checkpoints and artifact.
    var rank: Int { get }
    var size: Int { get }
    /// Makes every worker's weights and moving statistics equal to rank 0's (before training).
    func broadcastParameters(_ parameters: ParameterStore) throws
    /// Called during the backward pass as parameters' gradients become complete, in the
    /// same order on every worker: lets the exchange start before the pass ends.
    func gradientsReady(_ names: [String], in parameters: ParameterStore) throws
    /// Called after each backward pass, before the optimizer: sums every gradient over all
    /// workers (dist_sync), so each worker applies the same update.
    func reduceGradients(_ parameters: ParameterStore) throws
    /// Called at the end of each epoch: makes the moving statistics agree (averaged).
    func synchronizeAuxiliary(_ parameters: ParameterStore) throws
    /// Sums a few numbers over the workers (metric counts).
    func sum(_ values: [Double]) throws -> [Double]
    /// Agrees whether any worker wants to stop (a signal on one stops all).
    func any(_ flag: Bool) throws -> Bool
    /// Rank 0's `bytes` on every worker (what the others pass is ignored); nil when rank 0 passed nil.
    /// A resume takes rank 0's saved state this way, so only its host needs the checkpoint folder.
    func shareFromRoot(_ bytes: [UInt8]?) throws -> [UInt8]?
}

/// One process alone: every call is the identity.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func broadcastParameters(_ parameters: ParameterStore) {}
    public func gradientsReady(_ names: [String], in parameters: ParameterStore) {}
    public func reduceGradients(_ parameters: ParameterStore) {}
    public func synchronizeAuxiliary(_ parameters: ParameterStore) {}
    public func sum(_ values: [Double]) -> [Double] { values }
    public func any(_ flag: Bool) -> Bool { flag }
    public func shareFromRoot(_ bytes: [UInt8]?) -> [UInt8]? { bytes }
}
