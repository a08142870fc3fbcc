import Foundation

/// Where an executor's time goes, per operator kind: seconds in forward and backward steps,
/// and the floating-point work of the dense ones (convolutions, fully connected layers), so
/// `--profile` can show achieved GFLOP/s beside the cores' peak. Attached to an executor
/// (`Executor.profile`), it times every op; detached, the passes run untimed.
public final class ExecutorProfile: @unchecked Sendable {
    /// One operator kind's totals since the last `reset()`.
    public struct Totals: Sendable {
        public var forwardSeconds = 0.0
        public var backwardSeconds = 0.0
        /// Floating-point operations of the forward steps run.
        public var forwardFlops = 0.0
        /// A backward step computes both gradients of a product: about twice the forward's work.
        public var backwardFlops: Double { 2 * forwardFlops }
    }

    public private(set) var byKind: [String: Totals] = [:]

    public init() {}

    public func reset() { byKind = [:] }

    func addForward(_ kind: String, seconds: Double, flops: Double) {
        byKind[kind, default: Totals()].forwardSeconds += seconds
        byKind[kind, default: Totals()].forwardFlops += flops
    }

    func addBackward(_ kind: String, seconds: Double) {
        byKind[kind, default: Totals()].backwardSeconds += seconds
    }

    /// Monotonic seconds, for timing one op.
    @inline(__always) public static func clock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

/// What the profile knows of each compiled op: the kind of the node it computes and its
/// forward work, from the node's output and weight shapes (any op with a weight of two or
/// more dimensions does 2 x output elements x weight elements per output channel).
struct OpWork {
    let kind: String
    let forwardFlops: Double

    init(kind: String, forwardFlops: Double) {
        self.kind = kind
        self.forwardFlops = forwardFlops
    }

    init(node: Node, index: Int, shapes: InferredShapes, symbol: Symbol) {
        kind = node.op
        guard let output = shapes.outputs[NodeEntry(node: index, output: 0)] else { forwardFlops = 0; return }
        let weight = node.inputs.dropFirst().lazy.compactMap { input -> [Int]? in
            let source = symbol.nodes[input.node]
            guard source.isVariable, let shape = shapes.arguments[source.name], shape.count >= 2 else { return nil }
            return shape
        }.first
        guard let weight, let outChannels = weight.first, outChannels > 0 else { forwardFlops = 0; return }
        let perOutput = Double(weight.reduce(1, *)) / Double(outChannels)
        forwardFlops = 2 * Double(output.reduce(1, *)) * perOutput
    }
}
