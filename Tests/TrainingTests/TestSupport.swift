import Compute
import Foundation
import Graph
import Training

enum Fixtures {
    static var resources: URL { Bundle.module.url(forResource: "Resources", withExtension: nil)! }
    static var optimizers: URL { resources.appendingPathComponent("optimizers") }

    /// A `.params` file of the optimizer fixtures, by bare name.
    static func arrays(_ file: String) throws -> [String: NDArray] {
        let list = try ParamsFile.read(contentsOf: optimizers.appendingPathComponent(file))
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0.array) })
    }
}

/// A parameter store holding just the given named arrays (a graph of bare variables).
func makeStore(_ shapes: [(String, [Int])]) -> ParameterStore {
    var nodes: [Node] = []
    for (name, _) in shapes { nodes.append(Node(op: "null", name: name)) }
    let symbol = Symbol(nodes: nodes, heads: nodes.indices.map { NodeEntry(node: $0) })
    let store = ParameterStore()
    // A fresh store of valid shapes: allocation cannot fail.
    try! store.allocate(for: symbol, shapes: InferredShapes(arguments: Dictionary(uniqueKeysWithValues: shapes), auxiliary: [:], outputs: [:]),
                   inputs: [])
    return store
}

/// Largest |a - b| / max(|b|) over the array: the error relative to the array's scale.
func relativeError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    let scale = max(b.map(abs).max() ?? 0, 1e-30)
    return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
}
