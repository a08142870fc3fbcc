import Foundation
import Graph
import Models
import TestFixtures
import Testing

/// quantization.json: written and read back, and every malformed file refused with the file
/// and the key named.
@Suite(.removesTemporaryFolders) struct QuantizationTableTests {
    static let table = QuantizationTable(
        convolutions: ["conv": .init(input: "act", inputMaxAbs: 2.5, inputNonNegative: true)],
        calibration: .init(images: 2, files: ["a.png", "b.png"], source: "images", date: "2026-12-02T18:00:00Z"))

    @Test func roundTrips() throws {
        let data = try Self.table.jsonData()
        #expect(try QuantizationTable.decode(data) == Self.table)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"input_max_abs\"") && text.contains("\"version\" : 1"))
        #expect(Self.table.convolutions["conv"]?.inputScale == QuantizationTable.unsignedLevels / 2.5)
    }

    static func mutated(_ change: (inout [String: Any]) -> Void) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: Self.table.jsonData()) as? [String: Any])
        change(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    static func entry(_ change: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
        { object in
            var convs = object["convolutions"] as? [String: Any] ?? [:]
            var e = convs["conv"] as? [String: Any] ?? [:]
            change(&e)
            convs["conv"] = e
            object["convolutions"] = convs
        }
    }

    /// Scales the executor cannot use: so small that 255 / input_max_abs overflows Float, or so
    /// large that every input rounds to 0. Each names the file, node and key.
    @Test func implausibleScalesAreNamed() throws {
        for (value, words) in [(1e-37, "too small to invert"), (1e-25, "too small to invert"), (1e30, "too large")] {
            let data = try Self.mutated(Self.entry { $0["input_max_abs"] = value })
            #expect {
                _ = try QuantizationTable.decode(data, file: "q.json")
            } throws: { error in
                let e = error as? QuantizationTable.FormatError
                return e?.file == "q.json" && e?.key == "convolutions.conv.input_max_abs" && "\(error)".contains(words)
            }
        }
        #expect(try QuantizationTable.decode(Self.mutated(Self.entry { $0["input_max_abs"] = 1e-3 })).convolutions["conv"]?.inputMaxAbs == 1e-3)
    }

    /// A number no Float holds is named as such, with its key, rather than "not valid JSON".
    @Test func numbersOutsideTheFloatRangeAreNamed() throws {
        let text = String(decoding: try Self.table.jsonData(), as: UTF8.self)
        for number in ["1e39", "-1e39", "1e400", "1e-50"] {
            let data = Data(text.replacingOccurrences(of: "2.5", with: number).utf8)
            #expect {
                _ = try QuantizationTable.decode(data, file: "q.json")
            } throws: { error in
                let e = error as? QuantizationTable.FormatError
                return e?.key == "convolutions.conv.input_max_abs" && "\(error)".contains("\(number) is outside the float range")
                    && !"\(error)".contains("not valid JSON")
            }
        }
    }

    @Test func malformedFilesNameTheKey() throws {
        let cases: [(Data, String)] = [
            (Data("{not json".utf8), "(top level)"),
            (Data("[]".utf8), "(top level)"),
            (try Self.mutated { $0["version"] = 2 }, "version"),
            (try Self.mutated { $0["version"] = "one" }, "version"),
            (try Self.mutated { $0["convolutions"] = nil }, "convolutions"),
            (try Self.mutated(Self.entry { $0["input_max_abs"] = nil }), "convolutions.conv.input_max_abs"),
            (try Self.mutated(Self.entry { $0["input_max_abs"] = -1 }), "convolutions.conv.input_max_abs"),
            (try Self.mutated(Self.entry { $0["input_max_abs"] = 0 }), "convolutions.conv.input_max_abs"),
            (try Self.mutated(Self.entry { $0["input_non_negative"] = "yes" }), "convolutions.conv.input_non_negative"),
        ]
        for (data, key) in cases {
            #expect(throws: QuantizationTable.FormatError.self) { try QuantizationTable.decode(data, file: "q.json") }
            do {
                _ = try QuantizationTable.decode(data, file: "q.json")
            } catch {
                #expect(error.file == "q.json")
                #expect(error.key == key, "\(error)")
            }
        }
    }

    /// An artifact's quantization.json is checked against its symbol, and a bad one stops
    /// the load with the file and key in the message.
    @Test func artifactsRefuseAMalformedTable() throws {
        var g = GraphBuilder()
        let a = g.activation(g.variable("data"), name: "act")
        let c = g.convolution(a, name: "conv", attrs: ["num_filter": "2", "kernel": "(1, 1)", "no_bias": "True"])
        let symbol = g.symbol(heads: [c])
        let weights = NDArray(shape: [2, 1, 1, 1], floats: [1, -1])
        var artifact = ModelArtifact(symbol: symbol, parameters: [("arg:conv_weight", weights)], epoch: 1, imageShape: [1, 2, 2])
        artifact.quantization = Self.table
        let folder = TemporaryFolders.url("q-artifact")
        try artifact.write(to: folder)
        #expect(try ModelArtifact.load(from: folder).quantization == Self.table)

        let file = folder.appendingPathComponent(QuantizationTable.fileName)
        for (data, words) in [(Data("{\"version\": 1}".utf8), "quantization.json: scheme: is missing"),
                              (Data("garbage".utf8), "quantization.json: (top level): not valid JSON"),
                              (try Self.mutated { $0["convolutions"] = ["act": ["input": "data", "input_max_abs": 1, "input_non_negative": false]] },
                               "quantization.json: convolutions.act: node act is a Activation, not a Convolution"),
                              (try Self.mutated { $0["convolutions"] = ["nope": ["input": "data", "input_max_abs": 1, "input_non_negative": false]] },
                               "quantization.json: convolutions.nope: the model's symbol has no node of that name")] {
            try data.write(to: file)
            do {
                _ = try ModelArtifact.load(from: folder)
                Issue.record("loaded with a malformed table: \(words)")
            } catch {
                #expect("\(error)".contains(words), "\(error)")
            }
        }
    }
}
