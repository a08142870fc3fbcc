import Foundation

/// One problem found while validating input data: where it is and what is wrong.
public struct ValidationProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file the problem is in (a path as the user gave it).
    public var file: String
    /// 1-based line number, when the problem belongs to one line.
    public var line: Int?
    /// What was expected and what was found.
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Collects every problem in a data set before training starts, so a user fixes them all
/// in one go instead of one per run.
public struct ValidationReport: Sendable, Equatable, CustomStringConvertible {
    public private(set) var problems: [ValidationProblem] = []

    public init() {}

    public var isEmpty: Bool { problems.isEmpty }

    public mutating func add(file: String, line: Int? = nil, _ message: String) {
        problems.append(ValidationProblem(file: file, line: line, message: message))
    }

    public mutating func merge(_ other: ValidationReport) {
        problems.append(contentsOf: other.problems)
    }

    /// The report without the problems of these lines (lines a caller chose to leave out).
    public func removing(lines: Set<Int>) -> ValidationReport {
        var kept = ValidationReport()
        kept.problems = problems.filter { problem in problem.line.map { !lines.contains($0) } ?? true }
        return kept
    }

    /// Throws `DatasetError.invalid` holding this report unless it is empty.
    public func throwIfProblems() throws(DatasetError) {
        if !problems.isEmpty { throw .invalid(self) }
    }

    /// Every problem on its own line; past 200 lines, a count of the rest.
    public var description: String {
        let shown = problems.prefix(200).map(\.description)
        var text = "\(problems.count) problem\(problems.count == 1 ? "" : "s") in the input data:\n"
        text += shown.joined(separator: "\n")
        if problems.count > shown.count { text += "\n... and \(problems.count - shown.count) more" }
        return text
    }
}
