/// MXNet `Dropout`: described, not run. The executor refuses it (training would need its
/// random mask); the ONNX export and the calibrator read it as what it is at inference, the
/// identity, unless `mode=always` asks it to drop then too.
enum DropoutOperator: OperatorDescription {
    static let names = ["Dropout"]

    /// At inference it is the identity, and has its traits.
    static func traits(of node: Node) -> OperatorTraits { IdentityOperator.traits(of: node) }

    /// No ONNX node at inference; `mode=always` with p > 0 drops values at inference too,
    /// which no deterministic graph reproduces.
    static let onnx = ONNXLoweringRule.lowered { query in
        try query.expectInputs(1)
        let mode = try query.node.string("mode", default: "training")
        let p = try query.node.float("p", default: 0.5, in: 0...1)
        guard mode == "training" || p == 0 else {
            throw query.fail("mode=\(mode) with p=\(p) drops values at inference too; only mode=training (the default) is exported")
        }
        return .alias(input: 0)
    }
}
