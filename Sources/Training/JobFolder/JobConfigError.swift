import Foundation
import Models
import Support

/// What is wrong with one of the job folder's configuration files (SPEC section 7).
public enum JobConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case malformedJSON(file: String, detail: String)
    case missingKey(file: String, key: String, expected: String)
    case wrongType(file: String, key: String, expected: String)
    case invalidValue(file: String, key: String, value: String, valid: String)
    case hyperparameters(HyperparameterError)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot be read (\(reason))."
        case let .malformedJSON(file, detail): "\(file): not valid JSON of the expected form: \(detail)."
        case let .missingKey(file, key, expected): "\(file): missing \"\(key)\"; expected \(expected)."
        case let .wrongType(file, key, expected): "\(file): \"\(key)\" must be \(expected)."
        case let .invalidValue(file, key, value, valid): "\(file): \"\(key)\" is \"\(value)\"; valid: \(valid)."
        case let .hyperparameters(error): error.description
        }
    }
}
