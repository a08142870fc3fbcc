import Foundation
import TestFixtures
import Testing
import Graph

@Suite struct ParamsFileTests {
    @Test func readsEveryDTypeLikeMXNetWroteIt() throws {
        let arrays = try ParamsFile.read(contentsOf: Fixtures.url("ndarray/dtypes.params"))
        // JSONDecoder parses doubles exactly (JSONSerialization on Linux does not).
        struct Entry: Decodable { var dtype: String; var shape: [Int]; var values: [Double] }
        let expected = try JSONDecoder().decode([String: Entry].self, from: Data(contentsOf: Fixtures.url("ndarray/dtypes.json")))
        #expect(Set(arrays.map(\.name)) == Set(expected.keys))
        #expect(Set(arrays.map(\.array.dtype)) == Set(DType.allCases))
        for (name, a) in arrays {
            let e = expected[name]!
            #expect(a.dtype.name == e.dtype, "\(name)")
            #expect(a.shape == e.shape, "\(name)")
            let values = e.values
            if a.dtype == .float64 || a.dtype == .int64 {
                #expect(a.doubles() == values, "\(name)")
            } else {
                #expect(a.floats().map(Double.init) == values, "\(name)")
            }
        }
    }

    @Test func readsAnUnnamedList() throws {
        let arrays = try ParamsFile.read(contentsOf: Fixtures.url("ndarray/list.params"))
        #expect(arrays.map(\.name) == ["", ""])
        #expect(arrays[0].array == NDArray(shape: [2], floats: [1.5, -2]))
        #expect(arrays[1].array.dtype == .int32 && arrays[1].array.shape == [1, 1] && arrays[1].array.floats() == [7])
    }

    @Test(arguments: ["ndarray/dtypes.params", "ndarray/list.params", "models/resnet20-1x28x28/image-classification-0000.params"])
    func reEncodingGivesMXNetsBytes(path: String) throws {
        let original = try Data(contentsOf: Fixtures.url(path))
        let arrays = try ParamsFile.read(data: original, source: path)
        #expect(ParamsFile.encode(arrays) == original)
    }

    @Test func writeThenReadRoundTrips() throws {
        let dir = TemporaryFolders.url("paramstests")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let arrays: [(name: String, array: NDArray)] = [
            ("arg:w", NDArray(shape: [2, 3], floats: [1, 2, 3, -4, 0.5, .infinity])),
            ("aux:s", NDArray(shape: [], floats: [42])),
            ("arg:h", NDArray(shape: [2], dtype: .float16, bytes: [0x00, 0x3C, 0x00, 0xC0])),
        ]
        let url = dir.appendingPathComponent("x-0001.params")
        try ParamsFile.write(arrays, to: url)
        let back = try ParamsFile.read(contentsOf: url)
        #expect(back.map(\.name) == arrays.map(\.name))
        #expect(back[0].array == arrays[0].array)
        #expect(back[1].array == NDArray(shape: [1], floats: [42]))  // MXNet 1.x has no scalars
        #expect(back[2].array == arrays[2].array)
        #expect(back[2].array.floats() == [1, -2])
        // Unnamed lists stay unnamed.
        try ParamsFile.write([("", NDArray(shape: [1], floats: [3]))], to: url)
        #expect(try ParamsFile.read(contentsOf: url).map(\.name) == [""])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x-0001.params"])
    }

    @Test func modelCheckpointMatchesItsSymbol() throws {
        let dir = "models/resnet20-1x28x28/"
        let s = try Symbol.load(contentsOf: Fixtures.url(dir + "image-classification-symbol.json"))
        let params = try ParamsFile.read(contentsOf: Fixtures.url(dir + "image-classification-0000.params"))
        let shapes = try s.inferShapes(inputs: ["data": [1, 1, 28, 28]])
        var expected: [String: [Int]] = [:]
        for (k, v) in shapes.arguments where k != "data" && k != "softmax_label" { expected["arg:" + k] = v }
        for (k, v) in shapes.auxiliary { expected["aux:" + k] = v }
        #expect(Dictionary(uniqueKeysWithValues: params.map { ($0.name, $0.array.shape) }) == expected)
        #expect(params.allSatisfy { $0.array.dtype == .float32 })
    }
}

@Suite struct ParamsFileErrorTests {
    static let list = try! Data(contentsOf: Fixtures.url("ndarray/list.params"))
    static let dtypes = try! Data(contentsOf: Fixtures.url("ndarray/dtypes.params"))

    func expectError(_ data: Data, _ source: String = "bad.params", mentions: [String] = []) {
        let e = #expect(throws: GraphError.self) { try ParamsFile.read(data: data, source: source) }
        for m in [source] + mentions {
            #expect(e?.description.contains(m) == true, "\(e?.description ?? "no error") lacks \(m)")
        }
    }

    @Test func everyTruncationIsAnErrorNamingTheFile() {
        for cut in 0..<Self.list.count { expectError(Self.list.prefix(cut), "list.params") }
        for cut in stride(from: 0, to: Self.dtypes.count, by: 7) { expectError(Self.dtypes.prefix(cut), "dtypes.params") }
    }

    @Test func truncationInsideAnArrayNamesTheArray() {
        // list.params: 24-byte header, first array at 24, its data at 56..<64.
        expectError(Self.list.prefix(60), mentions: ["array 0 of 2", "float32 (2,)"])
        expectError(Self.list.prefix(70), mentions: ["array 1 of 2"])
    }

    func patched(_ d: Data, at offset: Int, _ bytes: [UInt8]) -> Data {
        var d = d
        d.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        return d
    }

    @Test func wrongMagicNumbers() {
        expectError(patched(Self.list, at: 0, [0x13]), mentions: ["file header", "magic"])
        expectError(patched(Self.list, at: 24, [0xC7]), mentions: ["array 0 of 2", "magic"])
        expectError(Data("not a params file at all".utf8), mentions: ["magic"])
    }

    @Test func absurdCountsAndDims() {
        expectError(patched(Self.list, at: 16, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]), mentions: ["array count"])
        expectError(patched(Self.list, at: 16, [3]), mentions: ["name count"])
        // first array: ndim at 32, dim at 36.
        expectError(patched(Self.list, at: 32, [0xFE, 0xFF, 0xFF, 0xFF]), mentions: ["array 0 of 2", "dimensions"])
        expectError(patched(Self.list, at: 32, [200]), mentions: ["array 0 of 2"])
        expectError(patched(Self.list, at: 36, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), mentions: ["negative dimension"])
        expectError(patched(Self.list, at: 36, [0, 0, 0, 0, 0, 0, 0, 0x10]), mentions: ["array 0 of 2"])
        expectError(patched(Self.list, at: 36, [0, 0, 0, 0x40, 0, 0, 0, 0]), mentions: ["array 0 of 2"])
        // dtype flag at 52.
        expectError(patched(Self.list, at: 52, [9]), mentions: ["dtype flag 9"])
        // storage type at 28.
        expectError(patched(Self.list, at: 28, [1]), mentions: ["sparse"])
        // name count (at 108): must be 0 or 2.
        expectError(patched(Self.list, at: 108, [1]), mentions: ["name count"])
        expectError(patched(Self.list, at: 108, [2]), mentions: ["name of array 0"])
    }

    @Test func legacyFormatsAreRead() throws {
        // V1: magic 0xF993FAC8, u32 ndim, i64 dims, no storage type.
        var v1: [UInt8] = [0x12, 0x01, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [1, 0, 0, 0, 0, 0, 0, 0]
        v1 += [0xC8, 0xFA, 0x93, 0xF9, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        v1 += [0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0] + [UInt8](repeating: 0, count: 8)
        #expect(try ParamsFile.read(data: Data(v1), source: "v1.params").map(\.array) == [NDArray(shape: [2], floats: [1.5, -2])])
        // Oldest: no magic, the word is ndim and dims are u32.
        var v0: [UInt8] = [0x12, 0x01, 0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0, count: 8) + [1, 0, 0, 0, 0, 0, 0, 0]
        v0 += [1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        v0 += [0, 0, 0xC0, 0x3F, 0, 0, 0, 0xC0] + [UInt8](repeating: 0, count: 8)
        #expect(try ParamsFile.read(data: Data(v0), source: "v0.params").map(\.array) == [NDArray(shape: [2], floats: [1.5, -2])])
    }

    @Test func missingFileNamesThePath() {
        let e = #expect(throws: GraphError.self) { try ParamsFile.read(contentsOf: URL(fileURLWithPath: "/nonexistent/x.params")) }
        #expect(e?.description.contains("/nonexistent/x.params") == true)
    }
}
