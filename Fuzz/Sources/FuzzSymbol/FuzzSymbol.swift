import Foundation
import FuzzSupport
import Graph

/// Symbol JSON: parsed, shapes inferred for a small image, then compiled for inference and
/// for training (what `predict` and an incremental `train` do with a model's graph).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSymbol(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(Fuzz.bytes(start, count))
    guard let symbol = try? Symbol(json: data, source: "input-symbol.json") else { return 0 }
    // The seeds take colour or grey 28x28 images (the tiny committed seed takes 3x8x8).
    for shape in [[1, 3, 28, 28], [1, 1, 28, 28], [1, 3, 8, 8]] {
        guard (try? symbol.inferShapes(inputs: ["data": shape])) != nil else { continue }
        for mode in [ExecutionMode.inference, .training] {
            guard let executor = try? Executor(symbol: symbol, parameters: ParameterStore(), dataShape: shape, mode: mode) else { continue }
            try? executor.forward()
        }
        break
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzSymbol) }
}
