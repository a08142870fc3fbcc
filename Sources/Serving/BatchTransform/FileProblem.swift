/// Why an image file could not be read.
public struct FileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var detail: String
    public var description: String { "file \(path): \(detail)" }
}
