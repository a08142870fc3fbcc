import Compute
import Foundation
import Graph
import Testing

/// bf16 mixed precision against MXNet's float32 outputs: bf16 keeps 8 bits of mantissa, so
/// probabilities agree to about 1e-2, and the predicted classes agree.
@Suite(.serialized)
struct BFloat16Tests {
    @Test(.enabled(if: DNNL.supportsBFloat16, "this CPU has no bfloat16 instructions"),
          arguments: ParityTests.extraCases)
    func inferenceIsCloseToMXNet(caseName: String) throws {
        let c = try ParityTests.load(caseName)
        let store = ParameterStore()
        let exec = try Executor(symbol: c.symbol, parameters: store, dataShape: c.dataShape, mode: .inference, precision: .bfloat16)
        try store.load(c.checkpoint, source: caseName)
        exec.setData(c.batch["data"]!.floats())
        try exec.forward()
        let got = exec.output(), expected = c.batch["prob_inference"]!.floats()
        let err = ParityTests.absoluteError(got, expected)
        #expect(err < 3e-2, "bf16 probabilities differ from MXNet's float32 ones by \(err)")
        #expect(err > 0, "bf16 gave float32's exact numbers: it did not run in bf16")
    }
}
