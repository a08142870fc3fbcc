/// An environment variable whose value does not parse: the message names the variable, its
/// value and what was expected. The commands refuse it as they refuse a bad option.
public struct EnvironmentError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
