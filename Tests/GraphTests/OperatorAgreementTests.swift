import Compute
import Graph
import Testing

/// Shape inference and the executor read one definition per operator, so a graph is either
/// accepted by both or refused by both, with the same error. Each graph here is one that the
/// two could disagree on; the test checks both verdicts and errors are equal.
@Suite struct OperatorAgreementTests {
    enum Verdict: Equatable { case accepted, refused(String) }

    /// What shape inference and an inference executor each make of `symbol` at data [2, 3, 8, 8].
    static func verdicts(_ symbol: Symbol) -> (shapes: Verdict, executor: Verdict) {
        let shapes: Verdict
        do { _ = try symbol.inferShapes(inputs: ["data": [2, 3, 8, 8]]); shapes = .accepted } catch { shapes = .refused("\(error)") }
        let executor: Verdict
        do {
            _ = try Executor(symbol: symbol, parameters: ParameterStore(), dataShape: [2, 3, 8, 8], mode: .inference)
            executor = .accepted
        } catch { executor = .refused("\(error)") }
        return (shapes, executor)
    }

    static func pooling(_ attrs: [String: String]) -> Symbol {
        var g = GraphBuilder()
        let p = g.op("Pooling", name: "pool", attrs: ["kernel": "(2, 2)", "stride": "(2, 2)"].merging(attrs) { _, new in new }, inputs: [g.variable("data")])
        return g.symbol(heads: [p])
    }

    @Test func lowerCaseFlattenIsAcceptedByBoth() {
        var g = GraphBuilder()
        let f = g.op("flatten", name: "flat", inputs: [g.variable("data")])
        let v = Self.verdicts(g.symbol(heads: [f]))
        #expect(v.shapes == .accepted && v.executor == .accepted)
    }

    @Test(arguments: ["LinearRegressionOutput", "MAERegressionOutput"])
    func regressionHeadsAreRefusedByBoth(op: String) {
        var g = GraphBuilder()
        let fc = g.fullyConnected(g.variable("data"), name: "fc", attrs: ["num_hidden": "3"])
        let head = g.output(op, fc, name: "out")
        let v = Self.verdicts(g.symbol(heads: [head]))
        #expect(v.shapes == v.executor)
        guard case .refused(let message) = v.shapes else { Issue.record("\(op) was accepted"); return }
        #expect(message.contains("unknown operator '\(op)'"))
    }

    @Test(arguments: [("pool_type", "sum"), ("pooling_convention", "same")])
    func poolingVariantsTheOpCannotRunAreRefusedByBoth(attr: String, value: String) {
        let v = Self.verdicts(Self.pooling([attr: value]))
        #expect(v.shapes == v.executor)
        guard case .refused(let message) = v.shapes else { Issue.record("\(attr)=\(value) was accepted"); return }
        #expect(message.contains(attr) && message.contains(value))
    }

    @Test func validAndFullPoolingAgreeOnTheOutputSize() throws {
        for convention in ["valid", "full"] {
            let s = Self.pooling(["pooling_convention": convention, "kernel": "(3, 3)"])
            let inferred = try s.inferShapes(inputs: ["data": [2, 3, 8, 8]]).headShapes(of: s)
            let e = try Executor(symbol: s, parameters: ParameterStore(), dataShape: [2, 3, 8, 8], mode: .inference)
            e.setData([Float](repeating: 1, count: 2 * 3 * 8 * 8))
            try e.forward()
            // floor((8 - 3) / 2) + 1 = 3 (valid), ceil = 4 (full)
            #expect(inferred == [[2, 3, convention == "valid" ? 3 : 4, convention == "valid" ? 3 : 4]])
            #expect(e.output().count == inferred[0].reduce(1, *))
        }
    }

    @Test func broadcastingAddIsRefusedByBoth() {
        var g = GraphBuilder()
        let x = g.variable("data")
        let p = g.op("Pooling", name: "pool", attrs: ["kernel": "(2, 2)", "stride": "(2, 2)", "pool_type": "avg"], inputs: [x])
        let sum = g.op("broadcast_add", name: "sum", inputs: [x, p])
        let v = Self.verdicts(g.symbol(heads: [sum]))
        #expect(v.shapes == v.executor)
        guard case .refused(let message) = v.shapes else { Issue.record("a broadcasting add was accepted"); return }
        #expect(message.contains("broadcasting is not supported"))
    }
}
