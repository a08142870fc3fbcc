/// A graph as inference reads it, for shape inference of a graph that is exported rather
/// than run: operators that are only described (Dropout) and pass their input through at
/// inference become the identity operator the graph runs.
extension Symbol {
    /// This graph with every described-only inference identity (`OperatorTraits.inferenceIdentity`)
    /// replaced by the identity operator, without attributes.
    public func describedIdentitiesAsCopies() -> Symbol {
        var copy = self
        for i in copy.nodes.indices where !copy.nodes[i].isVariable && OperatorRegistry.definition(of: copy.nodes[i].op) == nil
            && OperatorRegistry.traits(of: copy.nodes[i]).inferenceIdentity {
            copy.nodes[i].op = OperatorRegistry.identityName
            copy.nodes[i].attrs = [:]
        }
        return copy
    }
}
