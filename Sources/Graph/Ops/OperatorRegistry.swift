/// Every operator the graph can infer shapes for and compile; nothing else is accepted.
enum OperatorRegistry {
    static let definitions: [any OperatorDefinition.Type] = [
        IdentityOperator.self, ActivationOperator.self, BatchNormOperator.self, ConvolutionOperator.self,
        PoolingOperator.self, FlattenOperator.self, FullyConnectedOperator.self, ElementwiseAddOperator.self,
        LossOutputOperator.self,
    ]

    private static let byName: [String: any OperatorDefinition.Type] = {
        var table: [String: any OperatorDefinition.Type] = [:]
        for definition in definitions {
            for name in definition.names { table[name] = definition }
        }
        return table
    }()

    /// The definition of the operator MXNet calls `name`, if it is supported.
    static func definition(of name: String) -> (any OperatorDefinition.Type)? { byName[name] }

    /// Every supported operator name, for messages.
    static var names: [String] {
        var all: [String] = []
        for definition in definitions { all += definition.names }
        return all
    }
}
