import Compute
import Foundation
import Graph

/// A saved optimizer state that does not fit the optimizer or the model.
public enum OptimizerStateError: Error, CustomStringConvertible, Sendable, Equatable {
    case unknownArray(name: String, optimizer: String, expected: String)
    case unknownParameter(name: String)
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    case badUpdateCount(found: String)
    /// The host could not hold the array (an ``AllocationError``, or oneDNN refusing its shape).
    case unallocatable(name: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownArray(name, optimizer, expected):
            return "optimizer state array \"\(name)\" does not belong to \(optimizer) (its arrays are opt:NAME:\(expected) and opt:num_update); was the checkpoint written with another optimizer?"
        case let .unknownParameter(name):
            return "optimizer state array \"\(name)\" is for a parameter the model does not have; was the checkpoint written for another network?"
        case let .shapeMismatch(name, expected, found):
            return "optimizer state array \"\(name)\" has shape \(found) but the parameter has \(expected)."
        case let .badUpdateCount(found):
            return "optimizer state \"num_update\" must be one non-negative integer, found \(found)."
        case let .unallocatable(name, reason):
            return "optimizer state array \"\(name)\" cannot be loaded: \(reason)"
        }
    }
}
