import Foundation

/// Everything that can be wrong with a symbol graph, a `.params` file or the shapes
/// flowing through a graph. Every case names the file, node or array involved and says
/// what was expected and what was found, so the message alone tells a user what to fix.
public enum GraphError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file could not be read or written at all.
    case io(file: String, detail: String)
    /// A symbol file is not valid JSON (truncated, not text, ...).
    case invalidJSON(file: String, detail: String)
    /// A symbol file is JSON but not a valid MXNet graph (missing keys, bad node references, ...).
    case malformedSymbol(file: String, detail: String)
    /// A node lacks a required attribute.
    case missingAttr(node: String, op: String, attr: String)
    /// A node's attribute could not be read as the expected type.
    case badAttr(node: String, op: String, attr: String, value: String, expected: String)
    /// A node uses an operator this implementation does not know.
    case unknownOp(node: String, op: String)
    /// A node has the wrong number of inputs for its operator.
    case wrongInputCount(node: String, op: String, expected: String, found: Int)
    /// A given or stored array shape disagrees with the shape the graph requires.
    case shapeMismatch(array: String, expected: [Int], found: [Int])
    /// A node's input shapes cannot be combined by its operator.
    case invalidShape(node: String, op: String, detail: String)
    /// An input the graph needs (e.g. `data`) was given no shape, so nothing can be inferred.
    case missingInputShape(array: String, node: String)
    /// A shape was given for a name that is not a variable of the graph.
    case unknownInput(name: String, known: [String])
    /// A tensor, or an executor's whole plan, would pass its memory limit (`bytes` nil: beyond Int.max).
    case tooLarge(node: String, op: String, shape: [Int], bytes: Int?, limit: Int, what: String)
    /// A `.params` file has the wrong magic number at the start or before an array.
    case badMagic(file: String, location: String, expected: UInt64, found: UInt64)
    /// A `.params` file ends before the data it announces.
    case truncated(file: String, location: String, needed: Int, available: Int)
    /// A `.params` file is structurally wrong (counts, dims, dtypes, storage types).
    case malformedParams(file: String, location: String, detail: String)

    public var description: String {
        switch self {
        case let .io(file, detail): "\(file): \(detail)"
        case let .invalidJSON(file, detail): "\(file): not a valid symbol JSON file: \(detail)"
        case let .malformedSymbol(file, detail): "\(file): not a valid MXNet symbol graph: \(detail)"
        case let .missingAttr(node, op, attr): "node '\(node)' (\(op)): missing required attribute '\(attr)'"
        case let .badAttr(node, op, attr, value, expected): "node '\(node)' (\(op)): attribute '\(attr)' is \"\(value)\", expected \(expected)"
        case let .unknownOp(node, op): "node '\(node)': unknown operator '\(op)' (supported: \(OperatorRegistry.names.joined(separator: ", ")))"
        case let .wrongInputCount(node, op, expected, found): "node '\(node)' (\(op)): expected \(expected) inputs, found \(found)"
        case let .shapeMismatch(array, expected, found): "array '\(array)': expected shape \(fmt(expected)), found \(fmt(found))"
        case let .invalidShape(node, op, detail): "node '\(node)' (\(op)): \(detail)"
        case let .missingInputShape(array, node): "no shape given for input '\(array)' needed by node '\(node)'"
        case let .unknownInput(name, known): "'\(name)' is not an input of the graph (inputs: \(known.joined(separator: ", ")))"
        case let .tooLarge(node, op, shape, bytes, limit, what): "node '\(node)' (\(op)): shape \(fmt(shape)) needs \(bytes.map { "\($0) bytes" } ?? "more than \(Int.max) bytes"), more than the \(limit)-byte limit on \(what) (\(limit >> 20) MiB); use smaller images, batches or layers"
        case let .badMagic(file, location, expected, found): "\(file): \(location): bad magic number 0x\(String(found, radix: 16, uppercase: true)), expected 0x\(String(expected, radix: 16, uppercase: true)) (not an MXNet .params file, or corrupted)"
        case let .truncated(file, location, needed, available): "\(file): truncated at \(location): needs \(needed) more bytes, only \(available) left"
        case let .malformedParams(file, location, detail): "\(file): \(location): \(detail)"
        }
    }
}

/// Shapes printed the way MXNet prints them: `(2, 3, 224, 224)`.
func fmt(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}
