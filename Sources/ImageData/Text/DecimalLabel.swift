import Support
/// Reads class labels written as text: whole numbers in decimal, as MXNet writes them ("3",
/// "3.000000", "3e0"). Hex ("0x3"), "nan", "inf" and fractions ("3.0000001") are refused
/// instead of being rounded or converted.
enum DecimalLabel {
    /// The value of `text`, or why it is not a whole decimal number.
    static func parse(_ text: Substring) -> Result<Double, InputProblem> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let parts = Parts(trimmed), let value = Double(trimmed) else {
            return .failure(InputProblem(message: "label '\(VisibleText.of(String(trimmed), limit: 80))' is not a number (expected a whole number in decimal, such as 3 or 3.000000)"))
        }
        guard parts.isWhole else {
            return .failure(InputProblem(message: "label '\(VisibleText.of(String(trimmed), limit: 80))' is not an integer class index (expected a whole number such as 3 or 3.000000)"))
        }
        return .success(value)
    }

    /// `[+-] digits [. digits] [e [+-] digits]`, split up so wholeness is decided on the digits
    /// themselves (as a Float, "3.0000001" would already be 3).
    private struct Parts {
        var digits: [UInt8] = []      // integer and fraction digits, in order
        var fractionCount = 0
        var exponent = 0

        init?(_ text: String) {
            var bytes = Array(text.utf8)[...]
            if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            var sawPoint = false
            while let b = bytes.first, b != UInt8(ascii: "e") && b != UInt8(ascii: "E") {
                bytes = bytes.dropFirst()
                if b == UInt8(ascii: ".") && !sawPoint { sawPoint = true; continue }
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                digits.append(b - UInt8(ascii: "0"))
                if sawPoint { fractionCount += 1 }
            }
            guard !digits.isEmpty else { return nil }
            if !bytes.isEmpty {
                bytes = bytes.dropFirst()  // the "e"
                var negative = false
                if let s = bytes.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") {
                    negative = s == UInt8(ascii: "-"); bytes = bytes.dropFirst()
                }
                guard !bytes.isEmpty else { return nil }
                var e = 0
                for b in bytes {
                    guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                    // Any exponent past a million means the same here: far out of range or far below 1.
                    e = min(e * 10 + Int(b - UInt8(ascii: "0")), 1_000_000)
                }
                exponent = negative ? -e : e
            }
        }

        /// True when the digits shifted by the exponent leave no non-zero digit after the point.
        var isWhole: Bool {
            let shift = exponent - fractionCount      // value = digits x 10^shift
            if shift >= 0 { return true }
            let dropped = min(-shift, digits.count)
            return digits.suffix(dropped).allSatisfy { $0 == 0 } || digits.allSatisfy { $0 == 0 }
        }
    }
}

import Foundation
