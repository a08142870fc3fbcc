import Compute
/// Caps on what an executor may allocate, checked from the inferred shapes before any
/// tensor exists, so a hostile graph or image shape ends in an error naming the node and
/// the size instead of an allocation the machine cannot make.
public struct MemoryLimits: Sendable, Equatable {
    /// Largest single tensor (activation, weight, gradient, workspace).
    public var tensorBytes: Int
    /// Largest estimated total for one executor (see `Executor.planBytes`).
    public var planBytes: Int

    public init(tensorBytes: Int = 4 << 30, planBytes: Int = 32 << 30) {
        self.tensorBytes = tensorBytes
        self.planBytes = planBytes
    }
}

/// Shape arithmetic that cannot overflow: nil when a product passes `Int.max`.
enum ShapeMath {
    static func product(_ dims: some Sequence<Int>) -> Int? { MemoryDesc.elementCount(dims) }

    /// Float32 bytes of a tensor as oneDNN may lay it out: blocked layouts pad the
    /// channel axis of 4-D tensors to a multiple of 16.
    static func laidOutBytes(_ shape: [Int]) -> Int? {
        var dims = shape
        if dims.count == 4 { dims[1] = (dims[1] + 15) / 16 * 16 }
        return product(dims + [4])
    }

    /// `a + b`, nil on overflow.
    static func add(_ a: Int, _ b: Int) -> Int? {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? nil : s
    }
}
