import Foundation
import Support

/// MXNet's NDArray list file (`mx.nd.save`, `*.params`): a header, the arrays, then
/// their names (`arg:NAME` / `aux:NAME` for model checkpoints; none for a plain list).
///
/// Layout: `u64 0x112`, `u64 0`, `u64 count`, `count` arrays, `u64 nameCount` (0 or
/// `count`), then each name as `u64 length` + UTF-8 bytes. Each array (V2) is
/// `u32 0xF993FAC9`, `i32 stype`, `i32 ndim`, `ndim x i64 dims`, `i32 dev_type`,
/// `i32 dev_id`, `i32 dtype`, raw little-endian data. Reading also accepts V3 (numpy
/// shapes), V1 (`0xF993FAC8`, no stype) and the oldest files with no magic at all
/// (the first word is `ndim`, dims are `u32`).
public enum ParamsFile {
    static let listMagic: UInt64 = 0x112
    static let v1Magic: UInt32 = 0xF993_FAC8
    static let v2Magic: UInt32 = 0xF993_FAC9
    static let v3Magic: UInt32 = 0xF993_FACA
    /// MXNet's limit on dimensions; anything larger is corruption, not a real array.
    static let maxDims = 32

    /// Reads a `.params` file; arrays in file order, names `""` when the file has none.
    public static func read(contentsOf url: URL) throws -> [(name: String, array: NDArray)] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GraphError.io(file: url.path, detail: "cannot read the params file: \(SystemErrorText.of(error))")
        }
        return try read(data: data, source: url.lastPathComponent)
    }

    /// Reads a `.params` file's bytes. `source` names the file in error messages.
    public static func read(data: Data, source: String) throws -> [(name: String, array: NDArray)] {
        var r = ByteReader(bytes: [UInt8](data), file: source)
        r.location = "file header"
        let magic = try r.u64()
        guard magic == listMagic else {
            throw GraphError.badMagic(file: source, location: "file header", expected: listMagic, found: magic)
        }
        _ = try r.u64()  // reserved
        r.location = "array count"
        let count = try r.u64()
        // Every array takes at least 4 bytes, so a larger count can only be corruption.
        guard count <= UInt64(r.remaining / 4) else {
            throw GraphError.malformedParams(file: source, location: "array count",
                                             detail: "announces \(count) arrays but only \(r.remaining) bytes follow")
        }
        var arrays: [NDArray] = []
        arrays.reserveCapacity(min(Int(count), 4096))  // a corrupt count must not allocate
        for i in 0..<Int(count) {
            r.location = "array \(i) of \(count)"
            arrays.append(try readArray(&r))
        }
        r.location = "name count"
        let nameCount = try r.u64()
        guard nameCount == 0 || nameCount == count else {
            throw GraphError.malformedParams(file: source, location: "name count",
                                             detail: "\(nameCount) names for \(count) arrays (must be 0 or equal)")
        }
        var names: [String] = []
        for i in 0..<Int(nameCount) {
            r.location = "name of array \(i) of \(count)"
            let len = try r.u64()
            guard len <= UInt64(r.remaining) else {
                throw GraphError.truncated(file: source, location: r.location, needed: Int(clamping: len), available: r.remaining)
            }
            let b = try r.take(Int(len))
            guard let s = String(validating: b, as: UTF8.self) else {
                throw GraphError.malformedParams(file: source, location: r.location, detail: "name is not valid UTF-8")
            }
            names.append(s)
        }
        return arrays.enumerated().map { (name: names.isEmpty ? "" : names[$0.offset], array: $0.element) }
    }

    private static func readArray(_ r: inout ByteReader) throws -> NDArray {
        let loc = r.location, file = r.file
        func bad(_ detail: String) -> GraphError { .malformedParams(file: file, location: loc, detail: detail) }
        let magic = try r.u32()
        var shape: [Int]
        switch magic {
        case v2Magic, v3Magic:
            let stype = try r.i32()
            // -1 is MXNet's "undefined" storage of an empty (none) array.
            guard stype == 0 || stype == -1 else {
                throw bad(stype == 1 || stype == 2
                          ? "sparse storage (\(stype == 1 ? "row_sparse" : "csr")) is not supported; save dense arrays"
                          : "unknown storage type \(stype)")
            }
            let ndim = try r.i32()
            // An empty (none) array: V3 marks its unknown shape with -1, V2 with 0 (or -1
            // since MXNet 1.5). Nothing else follows it.
            if ndim == -1 || (ndim == 0 && magic == v2Magic) { return NDArray(shape: [0], dtype: .float32, bytes: []) }
            shape = try dims(&r, ndim: Int(ndim), wide: true, bad)
        case v1Magic:
            let ndim = try r.u32()
            if ndim == 0 { return NDArray(shape: [0], dtype: .float32, bytes: []) }
            shape = try dims(&r, ndim: Int(ndim), wide: true, bad)
        default:
            // The oldest format has no magic: the word is ndim and dims are u32.
            guard magic <= UInt32(maxDims) else {
                throw GraphError.badMagic(file: r.file, location: loc, expected: UInt64(v2Magic), found: UInt64(magic))
            }
            if magic == 0 { return NDArray(shape: [0], dtype: .float32, bytes: []) }
            shape = try dims(&r, ndim: Int(magic), wide: false, bad)
        }
        _ = try r.i32()  // dev_type: arrays load onto the CPU whatever device saved them
        _ = try r.i32()  // dev_id
        let flag = try r.i32()
        guard let dtype = DType(rawValue: flag) else {
            throw bad("unsupported dtype flag \(flag) (supported: " + DType.allCases.map { "\($0.rawValue)=\($0.name)" }.joined(separator: ", ") + ")")
        }
        var n = 1
        for d in shape {
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o else { throw bad("shape \(fmt(shape)) is absurdly large") }
            n = p
        }
        let (size, o) = n.multipliedReportingOverflow(by: dtype.size)
        guard !o, size <= r.remaining else {
            throw GraphError.truncated(file: r.file, location: loc + " (\(dtype.name) \(fmt(shape)) data)",
                                       needed: o ? Int.max : size, available: r.remaining)
        }
        return NDArray(shape: shape, dtype: dtype, bytes: try r.take(size))
    }

    private static func dims(_ r: inout ByteReader, ndim: Int, wide: Bool, _ bad: (String) -> GraphError) throws -> [Int] {
        guard ndim >= 0, ndim <= maxDims else { throw bad("\(ndim) dimensions (at most \(maxDims) allowed)") }
        var shape: [Int] = []
        for _ in 0..<ndim {
            let d = wide ? try r.i64() : Int64(try r.u32())
            guard d >= 0 else { throw bad("negative dimension \(d)") }
            guard d <= Int64(Int32.max) * 64 else { throw bad("dimension \(d) is absurdly large") }
            shape.append(Int(d))
        }
        return shape
    }

    /// Encodes arrays in the V2 format, exactly as MXNet 1.9 writes them (CPU context).
    /// Names are written only if at least one is non-empty. A scalar (shape `[]`) is
    /// written with shape `[1]`: MXNet 1.x reads zero dimensions as "no array".
    public static func encode(_ arrays: [(name: String, array: NDArray)]) -> Data {
        var w = ByteWriter()
        w.bytes.reserveCapacity(arrays.reduce(64) { $0 + $1.array.bytes.count + 64 + $1.name.utf8.count })
        w.put(listMagic)
        w.put(UInt64(0))
        w.put(UInt64(arrays.count))
        for (_, a) in arrays {
            w.put(v2Magic)
            w.put(Int32(0))  // dense storage
            let shape = a.shape.isEmpty ? [1] : a.shape
            w.put(Int32(shape.count))
            for d in shape { w.put(Int64(d)) }
            w.put(Int32(1))  // dev_type: CPU
            w.put(Int32(0))  // dev_id
            w.put(a.dtype.rawValue)
            w.bytes.append(contentsOf: a.bytes)
        }
        let named = arrays.contains { !$0.name.isEmpty }
        w.put(UInt64(named ? arrays.count : 0))
        if named {
            for (name, _) in arrays {
                let u = Array(name.utf8)
                w.put(UInt64(u.count))
                w.bytes.append(contentsOf: u)
            }
        }
        return Data(w.bytes)
    }

    /// Writes a `.params` file atomically (temporary file, then rename).
    public static func write(_ arrays: [(name: String, array: NDArray)], to url: URL) throws {
        try writeAtomically(encode(arrays), to: url)
    }
}
