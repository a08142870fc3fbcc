import Foundation
import FuzzSupport
import Models
import Serving

/// A test image, to classify with every model that loads.
let image = (try? Data(contentsOf: Fuzz.resource("Fixtures/Resources/images/rgb0.png"))).map { [UInt8]($0) } ?? []

/// A `model.tar.gz` (or any archive libarchive reads), loaded as `predict` and `serve` load it:
/// members read, symbol, params, shapes, classes and hyperparameters decoded, the graph
/// compiled and one image classified.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelArchive(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let archive = Fuzz.file("model.tar.gz", Fuzz.bytes(start, count))
    guard let artifact = try? ModelArtifact.load(from: archive) else { return 0 }
    let options = PredictorOptions(maxBatch: 2, maxPixels: 1 << 20, cachedExecutors: 1, preprocessThreads: 1)
    guard let predictor = try? Predictor(artifact: artifact, options: options) else { return 0 }
    _ = predictor.predict([image])
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzModelArchive) }
}
