import CDNNL
import Compute

/// MXNet `Flatten` (also spelt `flatten`): [N, C, H, W] in whatever layout → plain [N, C*H*W].
enum FlattenOperator: OperatorDefinition {
    static let names = ["Flatten", "flatten"]
    /// MXNet names an unnamed Flatten `flattenN`.
    static let autoNamePrefix = "flatten"

    static func inferShapes(_ query: ShapeQuery) throws -> ShapeResult {
        try query.expectInputs(1...1)
        let d = try query.data()
        return ([d], [try flattened(d, node: query.node)])
    }

    /// [N, product of the rest]; a scalar or an overflowing product is refused.
    static func flattened(_ d: [Int], node: Node) throws -> [Int] {
        guard let first = d.first, let rest = ShapeMath.product(d.dropFirst()) else {
            throw GraphError.invalidShape(node: node.name, op: node.op, detail: "cannot flatten data of shape \(fmt(d))")
        }
        return [first, rest]
    }

    static func compile(_ step: CompileStep) throws {
        step.emit(try FlattenOp(node: step.node, input: try step.input(0)))
    }
}

final class FlattenOp: Op {
    let output: Value
    private let input: Value
    private let toPlain: Reorder
    private let fromPlain: Reorder
    private let plain: Tensor
    private var gradientAsNCHW: Tensor?

    init(node: Node, input: Value) throws {
        self.input = input
        let d = input.desc.dims
        let flat = try FlattenOperator.flattened(d, node: node)
        let plainDesc = try MemoryDesc.plain(d)
        plain = try Tensor(plainDesc, zeroed: false)
        toPlain = try Reorder(from: input.desc, to: plainDesc)
        fromPlain = try Reorder(from: plainDesc, to: input.desc)
        let flatDesc = try MemoryDesc.plain(flat)
        output = try Value(flatDesc, tensor: Tensor.view(of: plain, as: flatDesc))
    }

    /// The output gradient is plain [N, CHW]; the backward step reads it as plain NCHW.
    func prepareScratch() throws {
        gradientAsNCHW = try Tensor.view(of: output.gradient, as: .plain(input.desc.dims))
    }

    var inputs: [Value] { [input] }

    func forward() { toPlain.run(input.tensor, plain) }

    func backward() {
        guard output.hasGradient, let gradientAsNCHW else { return }
        let ds = input.gradientDestination()
        fromPlain.run(gradientAsNCHW, ds)
        input.gradientDelivered(ds)
    }
}

extension FlattenOperator {
    static func traits(of node: Node) -> OperatorTraits {
        var traits = OperatorTraits()
        traits.signPreserving = true
        return traits
    }

    static let onnx = ONNXLoweringRule.lowered { query in
        try query.expectInputs(1)
        return .nodes([ONNXNodeDescription("Flatten", inputs: [.input(0)], attributes: [.int("axis", 1)])])
    }
}
