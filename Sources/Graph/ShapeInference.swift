import Foundation

/// The shapes of everything in a graph for given input shapes.
public struct InferredShapes: Sendable {
    /// Every argument (`Symbol.argumentNames`): inputs, labels and learnable parameters.
    public var arguments: [String: [Int]]
    /// Every auxiliary state (`Symbol.auxiliaryNames`): BatchNorm moving statistics.
    public var auxiliary: [String: [Int]]
    /// Every output of every node, keyed by `NodeEntry(node:output:)` with version 0.
    public var outputs: [NodeEntry: [Int]]

    public init(arguments: [String: [Int]], auxiliary: [String: [Int]], outputs: [NodeEntry: [Int]]) {
        self.arguments = arguments
        self.auxiliary = auxiliary
        self.outputs = outputs
    }

    /// The shapes of the graph's heads, in order.
    public func headShapes(of symbol: Symbol) -> [[Int]] {
        symbol.heads.map { outputs[NodeEntry(node: $0.node, output: $0.output)] ?? [] }
    }
}

extension Symbol {
    /// Infers every shape from the given ones (usually just `data`, e.g. `[2, 3, 224, 224]`),
    /// as MXNet's `infer_shape` does: parameter and label shapes follow from the operators'
    /// attributes. A given shape that disagrees with what the graph needs is an error
    /// naming the array, with the expected and found shapes. Every shape is checked
    /// against `limits.tensorBytes` as soon as it is known, so an absurd graph or input
    /// shape is refused, naming the node, before anything is allocated for it.
    public func inferShapes(inputs: [String: [Int]], limits: MemoryLimits = MemoryLimits()) throws -> InferredShapes {
        var variableShape = [[Int]?](repeating: nil, count: nodes.count)
        let variableNames = nodes.indices.filter { nodes[$0].isVariable }
        var byName: [String: Int] = [:]
        for i in variableNames {
            // Parameters are stored by name: two variables with one name would share it.
            guard byName[nodes[i].name] == nil else {
                throw GraphError.invalidShape(node: nodes[i].name, op: "null", detail: "two variables have this name (nodes \(byName[nodes[i].name] ?? 0) and \(i)); names must be unique")
            }
            byName[nodes[i].name] = i
        }
        for (name, shape) in inputs {
            guard let i = byName[name] else { throw GraphError.unknownInput(name: name, known: variableNames.map { nodes[$0].name }) }
            if let d = shape.first(where: { $0 < 0 }) {
                throw GraphError.invalidShape(node: name, op: "null", detail: "given shape \(fmt(shape)) has negative dimension \(d)")
            }
            try checkSize(shape, of: name, op: "null", limits: limits)
            variableShape[i] = shape
        }

        var outputs: [NodeEntry: [Int]] = [:]
        for (i, node) in nodes.enumerated() where !node.isVariable {
            let given: [[Int]?] = node.inputs.map { e in
                nodes[e.node].isVariable ? variableShape[e.node] : outputs[NodeEntry(node: e.node, output: e.output)]
            }
            for (k, e) in node.inputs.enumerated() where !nodes[e.node].isVariable && given[k] == nil {
                throw GraphError.invalidShape(node: node.name, op: node.op,
                                              detail: "input \(k) refers to output \(e.output) of '\(nodes[e.node].name)', which has no such output")
            }
            guard let definition = OperatorRegistry.definition(of: node.op) else { throw GraphError.unknownOp(node: node.name, op: node.op) }
            let result = try definition.inferShapes(ShapeQuery(node: node, inputs: given, inputName: { nodes[node.inputs[$0].node].name },
                                                               isVariable: { nodes[node.inputs[$0].node].isVariable }))
            // Fill in (or check) the shapes of variables the operator determined.
            for (k, e) in node.inputs.enumerated() {
                let needed = result.inputs[k]
                if let have = given[k] {
                    guard have == needed else { throw GraphError.shapeMismatch(array: nodes[e.node].name, expected: needed, found: have) }
                } else {
                    try checkSize(needed, of: nodes[e.node].name, op: "null", limits: limits)
                    variableShape[e.node] = needed
                }
            }
            for (o, shape) in result.outputs.enumerated() {
                try checkSize(shape, of: node.name, op: node.op, limits: limits)
                outputs[NodeEntry(node: i, output: o)] = shape
            }
        }

        let aux = Set(auxiliaryNames)
        var args: [String: [Int]] = [:], auxShapes: [String: [Int]] = [:]
        for i in variableNames {
            guard let s = variableShape[i] else {
                throw GraphError.missingInputShape(array: nodes[i].name, node: nodes[i].name)
            }
            outputs[NodeEntry(node: i, output: 0)] = s
            if aux.contains(nodes[i].name) { auxShapes[nodes[i].name] = s } else { args[nodes[i].name] = s }
        }
        return InferredShapes(arguments: args, auxiliary: auxShapes, outputs: outputs)
    }

    /// Refuses a tensor whose float32 bytes, as oneDNN may lay them out, pass the limit.
    private func checkSize(_ shape: [Int], of name: String, op: String, limits: MemoryLimits) throws {
        let bytes = ShapeMath.laidOutBytes(shape)
        guard let bytes, bytes <= limits.tensorBytes else {
            throw GraphError.tooLarge(node: name, op: op, shape: shape, bytes: bytes, limit: limits.tensorBytes, what: "one tensor")
        }
    }
}
