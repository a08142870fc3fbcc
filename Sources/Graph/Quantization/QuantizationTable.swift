import Compute
import Foundation
import Support

/// What `imgclf quantize` calibrated for a model: for every convolution that runs in int8,
/// the range of its input on the calibration images and whether that input is never
/// negative (then it is quantized to u8, else to s8). Stored as `quantization.json` beside
/// the float32 files of an artifact; an executor given a table runs those convolutions as
/// ``QuantizedConvolutionOp``s (inference only).
///
/// The scale is the plain maximum: `inputMaxAbs` is the largest |x| seen over every element
/// of the calibration batches (MXNet's `calib_mode="naive"`), so nothing seen in calibration
/// is clipped. Weights need no calibration: each output channel gets its own scale,
/// 127 / max|w| of that channel, computed when the executor is compiled.
public struct QuantizationTable: Codable, Sendable, Equatable {
    /// The format of this file; readers refuse other versions.
    public static let currentVersion = 1
    public static let fileName = "quantization.json"
    /// The JSON this type reads, for error messages.
    public static let expected = #"{"version": 1, "scheme": "...", "convolutions": {"NODE": {"input": "NODE", "input_max_abs": R, "input_non_negative": true}}, "calibration": {...}}"#

    /// One convolution's calibrated input.
    public struct Entry: Codable, Sendable, Equatable {
        /// The node whose output the convolution reads (for people reading the file).
        public var input: String
        /// Largest |x| of the convolution's input over the calibration data (> 0, finite).
        public var inputMaxAbs: Float
        /// The input is a ReLU's output (and was never negative in calibration): u8, else s8.
        public var inputNonNegative: Bool

        public init(input: String, inputMaxAbs: Float, inputNonNegative: Bool) {
            (self.input, self.inputMaxAbs, self.inputNonNegative) = (input, inputMaxAbs, inputNonNegative)
        }

        /// The quantization multiplier of the input: q = round(x * inputScale), 127 / range
        /// for s8 and ``QuantizationTable/unsignedLevels`` / range for u8.
        public var inputScale: Float { (inputNonNegative ? QuantizationTable.unsignedLevels : 127) / inputMaxAbs }

        enum CodingKeys: String, CodingKey {
            case input
            case inputMaxAbs = "input_max_abs"
            case inputNonNegative = "input_non_negative"
        }
    }

    /// Where the scales came from.
    public struct Calibration: Codable, Sendable, Equatable {
        /// Images the scales were measured on.
        public var images: Int
        /// Their names (file paths or record references), in the order they ran.
        public var files: [String]
        /// The data the user named (`--calibration`).
        public var source: String
        /// When, ISO 8601.
        public var date: String

        public init(images: Int, files: [String], source: String, date: String) {
            self.images = images
            self.files = files
            self.source = source
            self.date = date
        }
    }

    public var version: Int
    /// How the scales were chosen, in words.
    public var scheme: String
    /// By convolution node name.
    public var convolutions: [String: Entry]
    public var calibration: Calibration?

    public static let maxScheme = "activations: max |x| over the calibration data per convolution input, u8 after ReLU (0...255 with VNNI, else 0...127) else s8; weights: s8, per output channel, 127 / max |w|"

    public init(convolutions: [String: Entry], calibration: Calibration? = nil, scheme: String = QuantizationTable.maxScheme) {
        version = Self.currentVersion
        self.scheme = scheme
        self.convolutions = convolutions
        self.calibration = calibration
    }

    /// The largest u8 input level used: 255 on CPUs with VNNI; 127 elsewhere, where oneDNN's
    /// kernels add u8 x s8 products in pairs into 16 bits, which full-range u8 inputs saturate
    /// (see `DNNL.hasInt8DotProduct`). The table stores ranges, so it is the same file on both.
    public static var unsignedLevels: Float { DNNL.hasInt8DotProduct ? 255 : 127 }

    /// The input ranges a calibration can plausibly measure: beyond these the quantization
    /// scale overflows Float or rounds every activation to 0.
    public static let plausibleInputMaxAbs: ClosedRange<Float> = 1e-20...1e20
    /// The largest level any CPU quantizes to (u8), whatever this one uses.
    static let unsignedLevelsMax: Float = 255

    /// The calibrated entry of convolution `node`, nil when it stays float32.
    public func entry(for node: String) -> Entry? { convolutions[node] }

    // MARK: - The file

    /// Why a `quantization.json` cannot be used: the file and the key that is wrong.
    public struct FormatError: Error, CustomStringConvertible, Equatable {
        public var file: String
        public var key: String
        public var detail: String
        public var description: String { "\(file): \(key): \(detail)" }
    }

    /// Pretty, sorted JSON.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads and checks a table: the version, and every entry's range finite and positive.
    /// With `symbol`, every entry must name one of its `Convolution` nodes. `file` names
    /// the file in errors.
    public static func decode(_ data: Data, file: String = fileName, symbol: Symbol? = nil) throws(FormatError) -> QuantizationTable {
        let table: QuantizationTable
        do {
            table = try JSONDecoder().decode(QuantizationTable.self, from: data)
        } catch let error as DecodingError {
            // JSONDecoder calls a number no Float holds "not valid JSON": name it and its key.
            if let number = JSONNumberRange.firstOutsideFloat(in: data) {
                throw FormatError(file: file, key: number.path, detail: number.description)
            }
            throw describe(error, file: file)
        } catch {
            throw FormatError(file: file, key: "(file)", detail: "\(error)")
        }
        guard table.version == currentVersion else {
            throw FormatError(file: file, key: "version", detail: "is \(table.version); this build reads version \(currentVersion)")
        }
        for (name, entry) in table.convolutions.sorted(by: { $0.key < $1.key }) {
            guard entry.inputMaxAbs.isFinite, entry.inputMaxAbs > 0 else {
                throw FormatError(file: file, key: "convolutions.\(name).input_max_abs",
                                  detail: "is \(entry.inputMaxAbs); expected a finite number above 0")
            }
            // The executor quantizes with 255 / input_max_abs: a range so small that this overflows,
            // or so large that every input rounds to 0, is not a calibration of this model.
            guard plausibleInputMaxAbs.contains(entry.inputMaxAbs), (unsignedLevelsMax / entry.inputMaxAbs).isFinite else {
                throw FormatError(file: file, key: "convolutions.\(name).input_max_abs",
                                  detail: "is \(entry.inputMaxAbs), too \(entry.inputMaxAbs < 1 ? "small to invert" : "large") for a convolution's input range; "
                                      + "expected \(plausibleInputMaxAbs.lowerBound) to \(plausibleInputMaxAbs.upperBound), as imgclf quantize measures it")
            }
            if let symbol {
                guard let node = symbol.nodes.first(where: { $0.name == name }) else {
                    throw FormatError(file: file, key: "convolutions.\(name)", detail: "the model's symbol has no node of that name")
                }
                guard OperatorRegistry.traits(of: node).quantizable else {
                    throw FormatError(file: file, key: "convolutions.\(name)", detail: "node \(name) is a \(node.op), not a Convolution")
                }
            }
        }
        return table
    }

    /// A decoding error as the key path and what was wrong there.
    static func describe(_ error: DecodingError, file: String) -> FormatError {
        func path(_ keys: [CodingKey], _ last: CodingKey? = nil) -> String {
            let all = keys + (last.map { [$0] } ?? [])
            let text = all.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case let .keyNotFound(key, context):
            return FormatError(file: file, key: path(context.codingPath, key), detail: "is missing; expected \(expected)")
        case let .typeMismatch(type, context):
            return FormatError(file: file, key: path(context.codingPath), detail: "has the wrong type (expected \(type))")
        case let .valueNotFound(type, context):
            return FormatError(file: file, key: path(context.codingPath), detail: "is null (expected \(type))")
        case let .dataCorrupted(context):
            return FormatError(file: file, key: path(context.codingPath), detail: context.codingPath.isEmpty ? "not valid JSON" : context.debugDescription)
        @unknown default:
            return FormatError(file: file, key: "(file)", detail: "\(error)")
        }
    }
}
