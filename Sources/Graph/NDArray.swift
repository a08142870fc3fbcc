import Foundation

/// MXNet's element type flags, as stored in `.params` files (mshadow's `kFloat32` etc.).
public enum DType: Int32, Sendable, CaseIterable {
    case float32 = 0, float64 = 1, float16 = 2, uint8 = 3, int32 = 4, int8 = 5, int64 = 6

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .float16: return 2
        case .uint8, .int8: return 1
        }
    }

    /// The name numpy and MXNet print, e.g. "float32".
    public var name: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .float16: return "float16"
        case .uint8: return "uint8"
        case .int32: return "int32"
        case .int8: return "int8"
        case .int64: return "int64"
        }
    }
}

/// A dense array as stored in a `.params` file: shape, element type and the raw
/// little-endian bytes. It is a container for loading and saving; compute happens elsewhere.
public struct NDArray: Sendable, Equatable {
    public var shape: [Int]
    public var dtype: DType
    /// Raw little-endian element bytes, `count * dtype.size` of them.
    public var bytes: [UInt8]

    public init(shape: [Int], dtype: DType, bytes: [UInt8]) {
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes
    }

    /// A float32 array. `floats.count` must equal the product of `shape`.
    public init(shape: [Int], floats: [Float]) {
        precondition(floats.count == shape.reduce(1, *), "NDArray: \(floats.count) values for shape \(shape)")
        self.shape = shape
        self.dtype = .float32
        // Stored little-endian regardless of the host.
        self.bytes = floats.flatMap { f -> [UInt8] in
            let b = f.bitPattern
            return [UInt8(truncatingIfNeeded: b), UInt8(truncatingIfNeeded: b >> 8),
                    UInt8(truncatingIfNeeded: b >> 16), UInt8(truncatingIfNeeded: b >> 24)]
        }
    }

    /// Number of elements (1 for a scalar shape `[]`; 0 for a shape whose product overflows,
    /// which `ParamsFile` never produces).
    public var count: Int { ShapeMath.product(shape) ?? 0 }

    /// The values converted to Float, whatever the stored type (float16 included).
    public func floats() -> [Float] {
        let n = min(count, bytes.count / dtype.size)
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { i in
                switch dtype {
                case .float32: return Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                case .float64: return Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
                case .float16: return halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                case .uint8: return Float(raw[i])
                case .int8: return Float(Int8(bitPattern: raw[i]))
                case .int32: return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
                case .int64: return Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
                }
            }
        }
    }

    /// The values as Double (exact for float64 and for integers up to 2^53).
    public func doubles() -> [Double] {
        guard dtype == .float64 || dtype == .int64 else { return floats().map(Double.init) }
        let n = min(count, bytes.count / 8)
        return bytes.withUnsafeBytes { raw in
            (0..<n).map { i in
                let u = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                return dtype == .float64 ? Double(bitPattern: u) : Double(Int64(bitPattern: u))
            }
        }
    }
}

/// IEEE half to single precision, done by hand so it works where `Float16` is unavailable.
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exp = Int((h >> 10) & 0x1F)
    let mant = UInt32(h & 0x3FF)
    if exp == 0 {
        // Zero or subnormal: value = mant * 2^-24.
        let v = Float(mant) * 0x1p-24
        return sign != 0 ? -v : v
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
    return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
}
