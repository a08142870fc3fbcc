/// MXNet `_copy` / `identity`: no op runs; the node's output is its input's value.
enum IdentityOperator: OperatorDefinition {
    static let names = ["_copy", "identity"]

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        try query.expectInputs(1...1)
        let d = try query.data()
        return ([d], [d])
    }

    static func compile(_ step: CompileStep) throws { step.alias(try step.input(0)) }
}

extension IdentityOperator {
    static func traits(of node: Node) -> OperatorTraits {
        var traits = OperatorTraits()
        traits.inferenceIdentity = true
        traits.signPreserving = true
        return traits
    }

    /// No ONNX node: the value is the input's.
    static let onnx = ONNXLoweringRule.lowered { query in
        try query.expectInputs(1)
        return .alias(input: 0)
    }
}
