import Foundation

/// Finds a key written twice in a JSON object's top level. Foundation's decoders keep one of
/// the two values without a word; a hyperparameter or a manifest attribute given twice is
/// a mistake the user should hear about, naming the key.
public enum JSONDuplicateKeys {
    /// The first top-level key that appears twice in `data` (a JSON object), or nil. Text that
    /// is not well-formed JSON gives nil: the decoder that reads it reports that.
    public static func first(in data: Data) -> String? {
        let bytes = [UInt8](data)
        var seen = Set<String>()
        var depth = 0
        var index = 0
        // At depth 1 of the outer object, a string is a key when it follows "{" or ",".
        var expectingKey = false
        var outerIsObject = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                guard let end = endOfString(bytes, from: index) else { return nil }
                if depth == 1 && expectingKey {
                    let literal = Data(bytes[index...end])
                    if let key = try? JSONDecoder().decode(String.self, from: literal), !seen.insert(key).inserted {
                        return key
                    }
                }
                expectingKey = false
                index = end
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth == 1 { outerIsObject = byte == UInt8(ascii: "{") }
                expectingKey = outerIsObject && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = outerIsObject && depth == 1
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// The index of the quote that closes the string opening at `start`, skipping escapes.
    static func endOfString(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index
            default: index += 1
            }
        }
        return nil
    }
}
