/// One problem with one input value, as a sentence for the user.
public struct InputProblem: Error, Sendable, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
}
