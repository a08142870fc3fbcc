import Foundation

/// Measures what a ``QuantizationTable`` records: run a float32 inference executor over the
/// calibration batches and, after each forward pass, call ``observe(_:count:)``; it reads
/// every convolution's input (``Executor/value(of:output:)``) and keeps its largest |x|.
///
/// Which inputs are non-negative is decided from the graph, not the data alone: an input is
/// u8 only when it is a ReLU's output (through max pooling, flatten or identity nodes) *and*
/// no negative value was seen; a signed input that happened to be non-negative on the
/// calibration images stays s8, so a negative value later is not clipped to zero.
public struct QuantizationCalibrator {
    /// One convolution to quantize: its node, the node output it reads.
    public struct Target: Sendable, Equatable {
        public var convolution: String
        public var input: String
        public var inputOutput: Int
        /// The input is structurally non-negative (a ReLU's output).
        public var afterRelu: Bool
    }

    public let targets: [Target]
    private var maxAbs: [String: Float] = [:]
    private var minimum: [String: Float] = [:]
    /// Batches observed, and images in them.
    public private(set) var batches = 0
    public private(set) var images = 0

    /// Every node of `symbol` that int8 runs (`OperatorTraits.calibrated`: convolutions
    /// without groups).
    public init(symbol: Symbol) {
        var targets: [Target] = []
        for node in symbol.nodes where OperatorRegistry.traits(of: node).calibrated {
            guard let source = node.inputs.first else { continue }
            targets.append(Target(convolution: node.name, input: symbol.nodes[source.node].name, inputOutput: source.output,
                                  afterRelu: Self.isNonNegative(symbol, node: source.node)))
        }
        self.targets = targets
    }

    /// Whether node `index`'s output cannot be negative: a ReLU, or a sign-preserving node
    /// (max or average pooling, flatten, an identity) over such a node.
    static func isNonNegative(_ symbol: Symbol, node index: Int, depth: Int = 0) -> Bool {
        let node = symbol.nodes[index]
        guard depth < 64 else { return false }
        let traits = OperatorRegistry.traits(of: node)
        if traits.rectifier { return true }
        guard traits.signPreserving else { return false }
        return node.inputs.first.map { isNonNegative(symbol, node: $0.node, depth: depth + 1) } ?? false
    }

    /// Reads every target's input after `executor.forward()`; `count` of the batch's rows are
    /// real images (the rest padding, ignored).
    public mutating func observe(_ executor: Executor, count: Int) throws {
        let batch = executor.dataShape[0]
        var seen: Set<String> = []
        for target in targets {
            let key = "\(target.input):\(target.inputOutput)"
            guard seen.insert(key).inserted else { continue }
            guard let values = try executor.value(of: target.input, output: target.inputOutput) else {
                throw GraphError.invalidShape(node: target.input, op: "calibration", detail: "the executor does not hold this node's output \(target.inputOutput), which convolution \(target.convolution) reads")
            }
            let used = values.count / batch * min(count, batch)
            var m = maxAbs[key] ?? 0, low = minimum[key] ?? .infinity
            values.withUnsafeBufferPointer { v in
                for i in 0..<used {
                    let x = v[i]
                    if x.isFinite {
                        m = max(m, abs(x))
                        low = min(low, x)
                    }
                }
            }
            maxAbs[key] = m
            minimum[key] = low
        }
        batches += 1
        images += min(count, batch)
    }

    /// The table of what was observed. A convolution whose input was zero on every
    /// calibration image gets range 1 (any scale represents zero).
    public func table(calibration: QuantizationTable.Calibration? = nil) -> QuantizationTable {
        var entries: [String: QuantizationTable.Entry] = [:]
        for target in targets {
            let key = "\(target.input):\(target.inputOutput)"
            let range = maxAbs[key] ?? 0
            let nonNegative = target.afterRelu && (minimum[key] ?? 0) >= 0
            entries[target.convolution] = QuantizationTable.Entry(input: target.input, inputMaxAbs: range > 0 ? range : 1,
                                                                  inputNonNegative: nonNegative)
        }
        return QuantizationTable(convolutions: entries, calibration: calibration)
    }
}
