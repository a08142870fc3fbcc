/// What the rest of the program asks of one node of an operator, declared by the operator's
/// definition (`OperatorDescription.traits(of:)`) and read through `OperatorRegistry`, so
/// that no caller keeps its own list of operator names.
public struct OperatorTraits: Sendable, Equatable {
    /// At inference the node's value is its input 0's, unchanged (`_copy`, `identity`, Dropout).
    public var inferenceIdentity = false
    /// A ReLU: its output is never negative, and an inference convolution or a BatchNorm
    /// can take it in as an eltwise post-op.
    public var rectifier = false
    /// Its output is non-negative wherever input 0 is (max or average pooling, flatten, identities).
    public var signPreserving = false
    /// The function that makes its output class probabilities, nil when it does not.
    public var probabilities: ProbabilityFunction?
    /// A loss head: input 1 is its label variable, of this kind.
    public var label: LabelKind?
    /// A node a quantization table may name (a convolution): its input is calibrated for int8.
    public var quantizable = false
    /// A quantizable node that int8 runs and calibration therefore measures (no groups).
    public var calibrated = false

    public init() {}

    /// The probability function that ends a classifier.
    public enum ProbabilityFunction: String, Sendable { case softmax, sigmoid }

    /// What a loss head's label variable holds per sample.
    public enum LabelKind: Sendable {
        /// One class index ([batch]).
        case classIndex
        /// One 0/1 value per class ([batch, classes]).
        case multiLabel
    }
}
