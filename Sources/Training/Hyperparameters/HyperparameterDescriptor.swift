import Foundation
import Models

/// One hyperparameter as the table states it: its SageMaker name, the field of
/// ``Hyperparameters`` that holds it, and the kind of value it takes (range or choices),
/// from which its parsing, its text in `hyperparameters.json` and its documentation follow.
public struct HyperparameterDescriptor {
    /// The name as SageMaker spells it, e.g. `mini_batch_size`.
    public let name: String
    let kind: Kind
    /// For the documentation: a rule between this value and others, checked after every
    /// value is read (see ``Hyperparameters/parse(_:source:)``).
    let rule: String?
    /// For the documentation: what leaving an optional value unset means.
    let unset: String?

    /// What a value may be, and the field it goes to.
    enum Kind {
        /// An integer in the range; the default is the field's.
        case integer(WritableKeyPath<Hyperparameters, Int>, ClosedRange<Int>)
        /// An integer in the range that must be given.
        case requiredInteger(WritableKeyPath<Hyperparameters, Int>, ClosedRange<Int>)
        /// An integer in the range, nil when not given.
        case optionalInteger(WritableKeyPath<Hyperparameters, Int?>, ClosedRange<Int>)
        /// A finite number in [0, 1].
        case unitNumber(WritableKeyPath<Hyperparameters, Double>)
        /// `true` or `false`, in any case.
        case trueFalse(WritableKeyPath<Hyperparameters, Bool>)
        /// `0` or `1`.
        case zeroOne(WritableKeyPath<Hyperparameters, Bool>)
        /// "C,H,W".
        case imageShape(WritableKeyPath<Hyperparameters, [Int]>)
        /// Comma-separated increasing epochs in the range, empty when not given.
        case epochList(WritableKeyPath<Hyperparameters, [Int]>, ClosedRange<Int>)
        /// One of an enum's raw values.
        case choice(HyperparameterChoiceField)
    }

    init(_ name: String, _ kind: Kind, rule: String? = nil, unset: String? = nil) {
        self.name = name
        self.kind = kind
        self.rule = rule
        self.unset = unset
    }

    /// Reads this hyperparameter's value from `reader` into `hp`; a value not given leaves
    /// the field as it is, a bad one adds a problem to `reader`.
    func read(_ reader: inout ValueReader, into hp: inout Hyperparameters) {
        switch kind {
        case let .integer(path, range): hp[keyPath: path] = reader.int(name, in: range) ?? hp[keyPath: path]
        case let .requiredInteger(path, range): hp[keyPath: path] = reader.int(name, in: range, required: true) ?? hp[keyPath: path]
        case let .optionalInteger(path, range): hp[keyPath: path] = reader.int(name, in: range)
        case let .unitNumber(path): hp[keyPath: path] = reader.unitFloat(name) ?? hp[keyPath: path]
        case let .trueFalse(path): hp[keyPath: path] = reader.trueFalse(name) ?? hp[keyPath: path]
        case let .zeroOne(path): hp[keyPath: path] = reader.zeroOne(name) ?? hp[keyPath: path]
        case let .imageShape(path): hp[keyPath: path] = reader.imageShape(name) ?? hp[keyPath: path]
        case let .epochList(path, range): hp[keyPath: path] = reader.steps(name, in: range) ?? hp[keyPath: path]
        case let .choice(field): field.read(name, &reader, &hp)
        }
    }

    /// The value in `hp` as `hyperparameters.json` holds it; nil when unset.
    func text(of hp: Hyperparameters) -> String? {
        switch kind {
        case let .integer(path, _), let .requiredInteger(path, _): return String(hp[keyPath: path])
        case let .optionalInteger(path, _): return hp[keyPath: path].map(String.init)
        case let .unitNumber(path): return Hyperparameters.format(hp[keyPath: path])
        case let .trueFalse(path): return hp[keyPath: path] ? "true" : "false"
        case let .zeroOne(path): return hp[keyPath: path] ? "1" : "0"
        case let .imageShape(path): return hp[keyPath: path].map(String.init).joined(separator: ",")
        case let .epochList(path, _):
            let steps = hp[keyPath: path]
            return steps.isEmpty ? nil : steps.map(String.init).joined(separator: ",")
        case let .choice(field): return field.text(hp)
        }
    }

    /// The valid values, in the words of the error messages (and any rule with other values).
    public var validValues: String {
        let alone: String
        switch kind {
        case let .integer(_, range), let .requiredInteger(_, range), let .optionalInteger(_, range):
            alone = ValueReader.integerExpected(range)
        case .unitNumber: alone = ValueReader.unitNumberExpected
        case .trueFalse: alone = ValueReader.trueFalseExpected
        case .zeroOne: alone = ValueReader.zeroOneExpected
        case .imageShape: alone = PreprocessingLimits.imageShapeRange
        case let .epochList(_, range): alone = ValueReader.epochListExpected(range)
        case let .choice(field): alone = ValueReader.choiceExpected(field.options)
        }
        return rule.map { "\(alone); \($0)" } ?? alone
    }

    /// Whether the hyperparameter must be given (it has no default).
    public var isRequired: Bool {
        if case .requiredInteger = kind { return true }
        return false
    }

    /// The default as `hyperparameters.json` would hold it; nil when required or unset.
    public var defaultText: String? {
        // The required values are placeholders here; every other field holds its default.
        isRequired ? nil : text(of: Hyperparameters(numClasses: 2, numTrainingSamples: 1))
    }

    /// For the documentation: what leaving an optional value unset means.
    public var unsetMeaning: String? { unset }
}

/// A hyperparameter whose value is one of an enum's raw values (the service's spellings),
/// with the enum's type erased so that every choice fits one table.
struct HyperparameterChoiceField {
    /// The valid spellings, in the order the error message lists them.
    let options: [String]
    let read: (_ name: String, _ reader: inout ValueReader, _ hp: inout Hyperparameters) -> Void
    let text: (Hyperparameters) -> String?

    /// A field that always holds one of `T`'s cases; `caseInsensitive` accepts any case.
    static func one<T: RawRepresentable & CaseIterable>(of path: WritableKeyPath<Hyperparameters, T>,
                                                        caseInsensitive: Bool = false) -> Self where T.RawValue == String {
        Self(options: T.allCases.map(\.rawValue),
             read: { name, reader, hp in
                 hp[keyPath: path] = reader.choice(name, T.self, caseInsensitive: caseInsensitive) ?? hp[keyPath: path]
             },
             text: { $0[keyPath: path].rawValue })
    }

    /// A field that is nil unless one of `T`'s cases is given.
    static func optional<T: RawRepresentable & CaseIterable>(_ path: WritableKeyPath<Hyperparameters, T?>) -> Self
        where T.RawValue == String {
        Self(options: T.allCases.map(\.rawValue),
             read: { name, reader, hp in hp[keyPath: path] = reader.choice(name, T.self) },
             text: { $0[keyPath: path]?.rawValue })
    }
}
