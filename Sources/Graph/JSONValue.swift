import Foundation

/// A JSON value, used for a graph's free-form attributes (e.g. `mxnet_version: ["int", 10901]`)
/// and as the parse tree of symbol files. Integers are kept apart from other numbers so
/// that they are written back exactly as read.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    var arrayValue: [JSONValue]? { if case let .array(a) = self { return a }; return nil }
    var objectValue: [String: JSONValue]? { if case let .object(o) = self { return o }; return nil }
    var stringValue: String? { if case let .string(s) = self { return s }; return nil }
    var intValue: Int? { if case let .int(i) = self { return i }; return nil }

    /// A short rendering for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
