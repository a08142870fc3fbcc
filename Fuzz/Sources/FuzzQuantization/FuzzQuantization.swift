import Foundation
import FuzzSupport
import Graph

/// The test model's graph, which a quantization.json is checked against.
let symbol = (try? Data(contentsOf: Fuzz.resource("Fixtures/Resources/models/resnet8-3x28x28/image-classification-symbol.json")))
    .flatMap { try? Symbol(json: $0, source: "image-classification-symbol.json") }

/// `quantization.json`, decoded and checked against the model's graph as loading an int8
/// artifact does (node names, scales, key paths in the errors), then encoded back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuantization(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(Fuzz.bytes(start, count))
    for graph in [symbol, nil] {
        guard let table = try? QuantizationTable.decode(data, symbol: graph) else { continue }
        _ = try? table.jsonData()
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzQuantization) }
}
