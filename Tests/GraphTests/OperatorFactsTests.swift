import Foundation
import Graph
import Testing

/// Operator facts live in the operators' definitions (Sources/Graph/Ops) and nowhere else:
/// every operator says how it is exported (or why it is not), and no other source file
/// spells an operator's name.
@Suite struct OperatorFactsTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    @Test func everyOperatorExportsOrSaysWhyNot() {
        let exportable = Set(OperatorRegistry.onnxExportableNames)
        for name in OperatorRegistry.knownNames {
            let reason = OperatorRegistry.onnxUnexportableReason(name)
            #expect(exportable.contains(name) != (reason != nil), "\(name): exported \(exportable.contains(name)), reason \(reason ?? "none")")
            if let reason { #expect(!reason.isEmpty, "\(name) declares no ONNX lowering without saying why") }
        }
        #expect(Set(OperatorRegistry.names).isSubset(of: Set(OperatorRegistry.knownNames)))
    }

    /// String literals equal to an operator name, in every Swift file under Sources/ except
    /// the operators' own folder and the generated protobuf code.
    @Test func noOtherSourceFileListsOperatorNames() throws {
        let names = Set(OperatorRegistry.knownNames)
        let ops = Self.sources.appendingPathComponent("Graph/Ops").standardizedFileURL.path + "/"
        let generated = Self.sources.appendingPathComponent("ONNXExport/Generated").standardizedFileURL.path + "/"
        let literal = try NSRegularExpression(pattern: #""((?:[^"\\\n]|\\.)*)""#)
        var found: [String] = []
        var scanned = 0
        let files = FileManager.default.enumerator(at: Self.sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            let path = url.standardizedFileURL.path
            guard path.hasSuffix(".swift"), !path.hasPrefix(ops), !path.hasPrefix(generated) else { continue }
            scanned += 1
            let text = try String(contentsOf: url, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                if line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                let string = String(line)
                for match in literal.matches(in: string, range: NSRange(string.startIndex..., in: string)) {
                    guard let range = Range(match.range(at: 1), in: string), names.contains(String(string[range])) else { continue }
                    found.append("\(path.dropFirst(Self.sources.path.count)):\(number + 1): \"\(string[range])\"")
                }
            }
        }
        #expect(scanned > 50, "scanned only \(scanned) files under \(Self.sources.path)")
        #expect(found.isEmpty, "operator names outside Sources/Graph/Ops (ask OperatorRegistry instead):\n\(found.joined(separator: "\n"))")
    }

    @Test func traitsAreTheOperatorsOwn() {
        func node(_ op: String, _ attrs: [String: String] = [:]) -> Node { Node(op: op, name: "n", attrs: attrs) }
        #expect(OperatorRegistry.traits(of: node("Activation", ["act_type": "relu"])).rectifier)
        #expect(!OperatorRegistry.traits(of: node("Activation", ["act_type": "tanh"])).rectifier)
        #expect(OperatorRegistry.traits(of: node("Activation", ["act_type": "sigmoid"])).probabilities == .sigmoid)
        #expect(OperatorRegistry.traits(of: node("Dropout")).inferenceIdentity)
        #expect(OperatorRegistry.traits(of: node("identity")).inferenceIdentity)
        #expect(OperatorRegistry.traits(of: node("Pooling", ["pool_type": "avg"])).signPreserving)
        #expect(OperatorRegistry.traits(of: node("SoftmaxOutput")).label == .classIndex)
        #expect(OperatorRegistry.traits(of: node("LogisticRegressionOutput")).label == .multiLabel)
        #expect(OperatorRegistry.traits(of: node("NoSuchOperator")) == OperatorTraits())
        // Dropout is described (exported, calibrated through) but not run.
        #expect(!OperatorRegistry.names.contains("Dropout") && OperatorRegistry.knownNames.contains("Dropout"))
    }

    @Test func labelInputsAreFoundOnce() {
        var g = GraphBuilder()
        let fc = g.fullyConnected(g.variable("data"), name: "fc", attrs: ["num_hidden": "3"])
        let head = g.lossOutput(fc, name: "softmax", multiLabel: true)
        let symbol = g.symbol(heads: [head])
        #expect(symbol.labelInputs == [LabelInput(name: "softmax_label", head: "softmax", headOp: "LogisticRegressionOutput", multiLabel: true)])
        #expect(symbol.batchInputs() == ["data", "softmax_label"])
        #expect(symbol.hasMultiLabelHead)
    }
}
