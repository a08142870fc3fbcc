/// A launch that could not go on: printed as `Error: ...`, without the usage text that
/// ArgumentParser adds to a ValidationError (the arguments were fine).
public struct LaunchError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
