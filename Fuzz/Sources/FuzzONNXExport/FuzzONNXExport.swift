import Foundation
import FuzzSupport
import Graph
import Models
import ONNXExport

/// The test model's weights: graphs that name them get real arrays to export.
let parameters = (try? Data(contentsOf: Fuzz.resource("Fixtures/Resources/models/resnet8-3x28x28/image-classification-0000.params")))
    .flatMap { try? ParamsFile.read(data: $0, source: "image-classification-0000.params") } ?? []

/// `imgclf export --format onnx` on an arbitrary graph: symbol JSON parsed, put in an artifact
/// with the test model's weights and exported (every op mapped or refused by name).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNXExport(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(Fuzz.bytes(start, count))
    guard let symbol = try? Symbol(json: data, source: "input-symbol.json") else { return 0 }
    for shape in [[3, 28, 28], [1, 28, 28]] {
        let artifact = ModelArtifact(symbol: symbol, parameters: parameters, epoch: 0, imageShape: shape,
                                     classNames: nil, hyperparameters: nil, history: nil, preprocessing: nil, source: "fuzz")
        guard let exporter = try? ONNXExporter(artifact: artifact) else { continue }
        _ = try? exporter.serialized()
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzONNXExport) }
}
