/// Every operator the program knows: those the graph can infer shapes for and compile
/// (nothing else is run), and those only described (the ONNX export and the calibrator
/// read Dropout, which the executor does not run). Other modules ask their traits and
/// lowerings here instead of listing operator names.
public enum OperatorRegistry {
    static let definitions: [any OperatorDefinition.Type] = [
        IdentityOperator.self, ActivationOperator.self, BatchNormOperator.self, ConvolutionOperator.self,
        PoolingOperator.self, FlattenOperator.self, FullyConnectedOperator.self, ElementwiseAddOperator.self,
        LossOutputOperator.self,
    ]

    /// Operators described but not run: shape inference and the executor refuse them.
    static let describedOnly: [any OperatorDescription.Type] = [DropoutOperator.self]

    /// Every operator known: those run, then those only described.
    static let descriptions: [any OperatorDescription.Type] = definitions.map { $0 as any OperatorDescription.Type } + describedOnly

    private static let byName: [String: any OperatorDefinition.Type] = {
        var table: [String: any OperatorDefinition.Type] = [:]
        for definition in definitions {
            for name in definition.names { table[name] = definition }
        }
        return table
    }()

    private static let descriptionsByName: [String: any OperatorDescription.Type] = {
        var table: [String: any OperatorDescription.Type] = [:]
        for description in descriptions.reversed() {
            for name in description.names { table[name] = description }
        }
        return table
    }()

    /// The definition of the operator MXNet calls `name`, if it is run.
    static func definition(of name: String) -> (any OperatorDefinition.Type)? { byName[name] }

    /// The description of the operator MXNet calls `name`, run or only described.
    static func description(of name: String) -> (any OperatorDescription.Type)? { descriptionsByName[name] }

    /// Every operator name the graph runs, for messages.
    public static var names: [String] { definitions.flatMap { $0.names } }

    /// Every operator name known, run or only described.
    public static var knownNames: [String] { descriptions.flatMap { $0.names } }

    /// What node `node` is, by its operator's declaration; no traits for an unknown operator
    /// (or a variable).
    public static func traits(of node: Node) -> OperatorTraits {
        description(of: node.op)?.traits(of: node) ?? OperatorTraits()
    }

    /// Node `node`'s operator as messages name it (an Activation with its `act_type`).
    public static func describe(_ node: Node) -> String { description(of: node.op)?.describe(node) ?? node.op }

    /// Every operator name the ONNX export writes, in registry order.
    public static var onnxExportableNames: [String] {
        descriptions.flatMap { description -> [String] in
            if case .lowered = description.onnx { return description.names }
            return []
        }
    }

    /// Why operator `name` has no ONNX lowering, when it declares none (nil for an exported
    /// or unknown operator).
    public static func onnxUnexportableReason(_ name: String) -> String? {
        guard let description = description(of: name), case .unexportable(let reason) = description.onnx else { return nil }
        return reason
    }

    /// Node `query.node` in ONNX; nil when its operator is unknown or declares no lowering.
    /// Throws `ONNXLoweringError` for attributes ONNX cannot reproduce, `GraphError` for
    /// malformed ones (the executor's message).
    public static func lowerToONNX(_ query: ONNXLoweringQuery) throws -> ONNXLowering? {
        guard let description = description(of: query.node.op), case .lowered(let lower) = description.onnx else { return nil }
        return try lower(query)
    }

    /// The operator that passes its input through (MXNet `_copy`), for graph rewrites.
    static var identityName: String { IdentityOperator.name }
}
