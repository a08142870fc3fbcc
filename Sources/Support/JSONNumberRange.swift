import Foundation

/// Finds a JSON number that no Float can hold (1e39, or 1e-50, which would read as 0).
/// Foundation's JSONDecoder reports such a number only as "not valid JSON", so a config file
/// with one would send the user looking for a syntax error; this names the number and its key.
public enum JSONNumberRange {
    /// A number out of range and where it is: its key path ("convolutions.conv.input_max_abs",
    /// "[2]" for an array element) and its text as written.
    public struct Finding: Equatable, Sendable {
        public var path: String
        public var text: String
        /// "1e39 is outside the float range (magnitudes 1.2e-38 to 3.4e38, or 0)".
        public var description: String { "\(text) is outside the float range (\(JSONNumberRange.floatRange))" }
    }

    /// What a Float holds, for messages.
    public static var floatRange: String {
        "magnitudes \(Float.leastNormalMagnitude) to \(Float.greatestFiniteMagnitude), or 0"
    }

    private enum Level { case object(key: String?), array(index: Int) }

    /// The first number in `data` whose magnitude is above Float's largest or a nonzero one
    /// below its smallest normal. Malformed text ends the scan (the decoder reports it).
    public static func firstOutsideFloat(in data: Data) -> Finding? {
        first(in: data) { magnitude in
            magnitude > Double(Float.greatestFiniteMagnitude) || (magnitude > 0 && magnitude < Double(Float.leastNormalMagnitude))
        }
    }

    /// The first number in `data` no Double holds (its magnitude rounds to infinity), for
    /// files read as Double.
    public static func firstOutsideDouble(in data: Data) -> Finding? {
        first(in: data) { !$0.isFinite }
    }

    /// The first number whose magnitude (as Double, infinity when beyond) is `outside`.
    private static func first(in data: Data, outside: (Double) -> Bool) -> Finding? {
        let bytes = [UInt8](data)
        var levels: [Level] = []
        var expectingKey = false
        var i = 0
        func path() -> String {
            levels.map { level -> String in
                switch level {
                case let .object(key): return key ?? "?"
                case let .array(index): return "[\(index)]"
                }
            }.joined(separator: ".")
        }
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "\""):
                var end = i + 1
                while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                guard end < bytes.count else { return nil }
                if expectingKey, case .object = levels.last {
                    let key = (try? JSONDecoder().decode(String.self, from: Data(bytes[i...end]))) ?? String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
                    levels[levels.count - 1] = .object(key: key)
                    expectingKey = false
                }
                i = end + 1
            case UInt8(ascii: "{"): levels.append(.object(key: nil)); expectingKey = true; i += 1
            case UInt8(ascii: "["): levels.append(.array(index: 0)); i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = levels.popLast(); i += 1
            case UInt8(ascii: ","):
                if case let .array(index)? = levels.last { levels[levels.count - 1] = .array(index: index + 1) } else { expectingKey = true }
                i += 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var end = i
                while end < bytes.count, isNumberByte(bytes[end]) { end += 1 }
                let text = String(decoding: bytes[i..<end], as: UTF8.self)
                if let value = Double(text), outside(abs(value)) { return Finding(path: path(), text: text) }
                i = end
            default: i += 1
            }
        }
        return nil
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }
}
