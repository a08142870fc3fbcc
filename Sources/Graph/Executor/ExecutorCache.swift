/// Inference executors of one graph and parameter store, one per batch size, compiled on
/// first use and reused. Least recently used ones are dropped while more than `capacity`
/// are held or their activations and packed weights exceed `memoryBudget` (compiling costs
/// milliseconds, a large batch's activations hundreds of megabytes, Winograd's weights up
/// to 4x the plain ones; weights shared by executors are counted once). The one just asked
/// for always stays.
///
/// Not thread-safe: one caller at a time, as for the executors it holds.
public struct ExecutorCache {
    public let capacity: Int
    public let memoryBudget: Int
    private var executors: [Int: Executor] = [:]
    private var lastUse: [Int: Int] = [:]
    private var useClock = 0

    public init(capacity: Int, memoryBudget: Int) {
        self.capacity = max(1, capacity)
        self.memoryBudget = memoryBudget
    }

    /// The executor for batch size `batch`, made by `compile` when none is held.
    public mutating func executor<Failure: Error>(batch: Int, compile: (Int) throws(Failure) -> Executor) throws(Failure) -> Executor {
        if let e = executors[batch] {
            useClock += 1
            lastUse[batch] = useClock
            return e
        }
        let e = try compile(batch)
        useClock += 1
        lastUse[batch] = useClock
        executors[batch] = e
        while executors.count > 1,
              executors.count > capacity
                || executors.values.reduce(0, { $0 + $1.activationMemoryBytes }) + Executor.packedWeightBytes(of: executors.values) > memoryBudget,
              let victim = executors.keys.filter({ $0 != batch }).min(by: { lastUse[$0, default: 0] < lastUse[$1, default: 0] }) {
            executors[victim] = nil
            lastUse[victim] = nil
        }
        return e
    }

    /// Keeps `executor`, compiled elsewhere, for batch size `batch` (as if just used).
    public mutating func insert(_ executor: Executor, batch: Int) {
        useClock += 1
        lastUse[batch] = useClock
        executors[batch] = executor
    }

    /// Batch sizes with a compiled executor, ascending.
    public var batchSizes: [Int] { executors.keys.sorted() }
}
