/// The one check that a graph's parameters keep their shape at every batch size. Executors
/// of several batch sizes share one parameter store, the predictor loads weights once for
/// all of them, and an ONNX graph takes a symbolic batch: a parameter whose shape follows
/// the batch would be reallocated (its weights lost) or could not be exported.
public struct BatchDependentParameter: Sendable, Equatable {
    /// The parameter (an argument that is not an input, or an auxiliary state).
    public var name: String
    /// Its shape at the first batch size compared, and at the other (nil: not inferred there).
    public var shape: [Int]
    public var otherShape: [Int]?
}

extension InferredShapes {
    /// Every parameter's shape: arguments and auxiliary states, minus `inputs` (the data
    /// and label variables, which follow the batch).
    public func parameterShapes(excluding inputs: Set<String>) -> [String: [Int]] {
        arguments.merging(auxiliary) { a, _ in a }.filter { !inputs.contains($0.key) }
    }

    /// The first parameter, by name, whose shape here differs from `other` (the same graph
    /// inferred at another batch size); nil when every parameter keeps its shape.
    public func batchDependentParameter(comparedWith other: InferredShapes, inputs: Set<String>) -> BatchDependentParameter? {
        Self.batchDependentParameter(parameterShapes(excluding: inputs), other.parameterShapes(excluding: inputs))
    }

    /// The same over two parameter-shape tables (`parameterShapes(excluding:)`).
    public static func batchDependentParameter(_ shapes: [String: [Int]], _ other: [String: [Int]]) -> BatchDependentParameter? {
        for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) where other[name] != shape {
            return BatchDependentParameter(name: name, shape: shape, otherShape: other[name])
        }
        return nil
    }
}

extension Symbol {
    /// The data variable and every label variable: the inputs that follow the batch size.
    public func batchInputs(dataName: String = "data") -> Set<String> {
        Set(labelInputs.map(\.name)).union([dataName])
    }
}
