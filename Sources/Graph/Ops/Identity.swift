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
