/// Why a node cannot be lowered as its attributes ask (the export names the node and op).
public struct ONNXLoweringError: Error, Sendable, Equatable {
    public let detail: String
}
