/// A tensor description oneDNN cannot represent, found before anything is allocated.
public struct ComputeError: Error, CustomStringConvertible, Sendable {
    public let detail: String
    public var description: String { detail }
}
