import Foundation
import Models

/// Reads one value at a time and collects every problem instead of stopping at the first.
struct ValueReader {
    let raw: [String: String]
    var problems: [HyperparameterError.Problem] = []

    init(raw: [String: String]) { self.raw = raw }

    // What each kind of value expects, as the messages say it and the README's table repeats it.
    static func integerExpected(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "an integer >= \(range.lowerBound)" : "an integer in \(range.lowerBound)...\(range.upperBound)"
    }
    static let unitNumberExpected = "a number in [0, 1]"
    static let trueFalseExpected = "true or false"
    static let zeroOneExpected = "0 or 1"
    static func choiceExpected(_ options: [String]) -> String { "one of \(options.joined(separator: ", "))" }
    static func epochListExpected(_ range: ClosedRange<Int>) -> String {
        "epochs in \(range.lowerBound)...\(range.upperBound) in increasing order, e.g. \"10, 20\""
    }

    /// Whether no problem has been found with `name` so far (given and valid, or not given
    /// and not required): the rules between values rest only on such values.
    func isValid(_ name: String) -> Bool {
        problems.allSatisfy { $0.name != name }
    }

    private func text(_ name: String) -> String? {
        raw[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>, required: Bool = false) -> Int? {
        let expected = Self.integerExpected(range)
        guard let s = text(name) else {
            if required { problems.append(.missing(name: name, expected: expected)) }
            return nil
        }
        guard let v = Int(s) else {
            // Digits too large for Int are a range problem, not a syntax one.
            let digits = s.drop { $0 == "+" || $0 == "-" }
            if !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber) {
                problems.append(.outOfRange(name: name, value: raw[name]!, valid: expected))
            } else {
                problems.append(.invalid(name: name, value: raw[name]!, expected: expected))
            }
            return nil
        }
        guard range.contains(v) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: expected))
            return nil
        }
        return v
    }

    /// A finite number in [0, 1].
    mutating func unitFloat(_ name: String) -> Double? {
        guard let s = text(name) else { return nil }
        guard let v = Double(s), v.isFinite, !s.lowercased().hasPrefix("0x") else {
            problems.append(.invalid(name: name, value: raw[name]!, expected: Self.unitNumberExpected))
            return nil
        }
        guard v >= 0 && v <= 1 else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: Self.unitNumberExpected))
            return nil
        }
        return v
    }

    /// One of `T`'s cases, by its raw value (the service's spelling).
    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type,
                                                             caseInsensitive: Bool = false) -> T? where T.RawValue == String {
        choice(name, T.allCases.map(\.rawValue), caseInsensitive: caseInsensitive).flatMap(T.init(rawValue:))
    }

    mutating func choice(_ name: String, _ options: [String], caseInsensitive: Bool = false) -> String? {
        guard let given = text(name) else { return nil }
        let s = caseInsensitive ? given.lowercased() : given
        guard options.contains(s) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: Self.choiceExpected(options)))
            return nil
        }
        return s
    }

    /// `true` or `false`, in any case.
    mutating func trueFalse(_ name: String) -> Bool? {
        guard let s = text(name) else { return nil }
        switch s.lowercased() {
        case "true": return true
        case "false": return false
        default:
            problems.append(.invalid(name: name, value: raw[name]!, expected: Self.trueFalseExpected))
            return nil
        }
    }

    /// `0` or `1`.
    mutating func zeroOne(_ name: String) -> Bool? {
        guard let s = text(name) else { return nil }
        switch s {
        case "0": return false
        case "1": return true
        default:
            problems.append(.invalid(name: name, value: raw[name]!, expected: Self.zeroOneExpected))
            return nil
        }
    }

    /// "C,H,W" with optional spaces; C in {1, 3}, H and W >= 1.
    mutating func imageShape(_ name: String) -> [Int]? {
        guard let s = text(name) else { return nil }
        guard let shape = ImageShape.parse(s) else {
            problems.append(.invalid(name: name, value: raw[name]!, expected: "\"C,H,W\" with three integers, e.g. \"3,224,224\""))
            return nil
        }
        guard ImageShape.isValid(shape) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: PreprocessingLimits.imageShapeRange))
            return nil
        }
        return shape
    }

    /// Comma-separated strictly increasing epochs within `range`, e.g. "10, 20".
    mutating func steps(_ name: String, in range: ClosedRange<Int>) -> [Int]? {
        guard let s = text(name) else { return nil }
        let texts = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let parts = texts.map { Int($0) }
        let valid = Self.epochListExpected(range)
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
            // Digits too large for Int are a range problem, not a syntax one.
            let tooLarge = zip(texts, parts).contains { text, part in part == nil && !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber } }
            problems.append(tooLarge ? .outOfRange(name: name, value: raw[name]!, valid: valid)
                                     : .invalid(name: name, value: raw[name]!, expected: "comma-separated epochs, e.g. \"10, 20\""))
            return nil
        }
        let steps = parts.map { $0! }
        guard steps.allSatisfy(range.contains), zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 }) else {
            problems.append(.outOfRange(name: name, value: raw[name]!, valid: valid))
            return nil
        }
        return steps
    }
}
