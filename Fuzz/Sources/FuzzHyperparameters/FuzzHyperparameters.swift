import ImageData
import Foundation
import FuzzSupport
import Graph
import Models
import Serving
import Training

/// A small real image, decoded once in grey and in colour, to preprocess under fuzzed settings.
let images: [Int: Image] = {
    let bytes = (try? Data(contentsOf: Fuzz.resource("Fixtures/Resources/images/rgb0.png"))).map { [UInt8]($0) } ?? []
    var decoded: [Int: Image] = [:]
    for channels in [1, 3] {
        decoded[channels] = try? ImageDecoder.decode(bytes, options: DecodeOptions(channels: channels))
    }
    return decoded
}()

/// A `hyperparameters.json`, validated as `train --hyperparameters` and a job folder read it;
/// values that pass then build what training and serving derive from them: the schedule,
/// the network and its shapes, the preprocessing of one image.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHyperparameters(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(Fuzz.bytes(start, count))
    guard let hp = try? Hyperparameters.parse(jsonObject: data, source: "hyperparameters.json") else { return 0 }
    let schedule = LearningRateSchedule(hyperparameters: hp)
    _ = schedule.rate(forUpdate: 1)
    _ = LearningRateSchedule.epochSize(samples: hp.numTrainingSamples, machines: 1, batch: hp.miniBatchSize)
    if let symbol = try? ResNet.symbol(numLayers: hp.numLayers, imageShape: hp.imageShape,
                                       numClasses: hp.numClasses, multiLabel: hp.multiLabel) {
        _ = try? symbol.inferShapes(inputs: ["data": [hp.miniBatchSize] + hp.imageShape])
    }
    let preprocessor = Preprocessor(imageShape: hp.imageShape, resize: hp.resize, maxPixels: 1 << 20)
    if let image = images[preprocessor.channels] {
        let output = UnsafeMutablePointer<Float>.allocate(capacity: preprocessor.outputCount)
        defer { output.deallocate() }
        preprocessor.prepare(image, workspace: preprocessor.makeWorkspace(), into: output)
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzHyperparameters) }
}
