import Support
/// Everything wrong with a set of hyperparameters, found in one pass: each problem names
/// the hyperparameter, the value given and what would be valid, one per line.
public struct HyperparameterError: Error, CustomStringConvertible, Sendable, Equatable {
    /// One thing wrong with one hyperparameter.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// A name the algorithm does not know; `suggestion` is the nearest known name, if close.
        case unknown(name: String, value: String, suggestion: String?)
        /// A required hyperparameter that was not given.
        case missing(name: String, expected: String)
        /// A value that does not parse as what the hyperparameter holds.
        case invalid(name: String, value: String, expected: String)
        /// A value that parses but is outside the valid range or set.
        case outOfRange(name: String, value: String, valid: String)
        /// A value that is valid alone but not with another hyperparameter's value.
        case conflict(name: String, value: String, detail: String)
        /// The file itself could not be read as a JSON object of hyperparameters.
        case malformedFile(source: String, detail: String)

        /// The hyperparameter the problem is about (the file's name for `malformedFile`).
        public var name: String {
            switch self {
            case let .unknown(name, _, _), let .missing(name, _), let .invalid(name, _, _),
                 let .outOfRange(name, _, _), let .conflict(name, _, _):
                return name
            case let .malformedFile(source, _): return source
            }
        }

        public var description: String {
            switch self {
            case let .unknown(name, value, suggestion):
                "\(Self.shown(name))=\"\(Self.shown(value))\": unknown hyperparameter.\(suggestion.map { " Did you mean \"\($0)\"?" } ?? "") Valid names: \(Hyperparameters.knownNames.joined(separator: ", "))."
            case let .missing(name, expected): "\(name): required but not given; expected \(expected)."
            case let .invalid(name, value, expected): "\(Self.shown(name))=\"\(Self.shown(value))\": not valid; expected \(expected)."
            case let .outOfRange(name, value, valid): "\(Self.shown(name))=\"\(Self.shown(value))\": out of range; valid: \(valid)."
            case let .conflict(name, value, detail): "\(Self.shown(name))=\"\(Self.shown(value))\": \(detail)"
            case let .malformedFile(source, detail): "\(source): \(detail)"
            }
        }

        /// Names and values are the user's text: control characters shown escaped, long values cut.
        private static func shown(_ text: String) -> String { VisibleText.of(text, limit: 200) }
    }

    /// Where the values came from (e.g. a file path), if known.
    public var source: String?
    /// Every problem found, in the order of the hyperparameter names.
    public var problems: [Problem]

    public init(source: String? = nil, problems: [Problem]) {
        self.source = source
        self.problems = problems
    }

    /// The names of the hyperparameters with problems.
    public var names: [String] { problems.map(\.name) }

    public var description: String {
        let head = "\(problems.count) problem\(problems.count == 1 ? "" : "s") with the hyperparameters"
            + (source.map { " in \($0)" } ?? "") + ":"
        return ([head] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8), y = Array(b.utf8)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// The known name nearest to `name`, if it is close enough to be a plausible typo
/// (at most a third of the name's length in edits, or a case/dash/space variant).
func suggestion(for name: String, among known: [String]) -> String? {
    let normalized = name.lowercased().replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
    if known.contains(normalized) { return normalized }
    let scored = known.map { ($0, editDistance(normalized, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    return best.1 <= max(2, normalized.count / 3) ? best.0 : nil
}
