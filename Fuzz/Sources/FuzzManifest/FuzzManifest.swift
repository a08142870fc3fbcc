import ImageData
import Foundation
import FuzzSupport

/// The test suite's image tree, linked beside the fuzzed manifest so that relative
/// references (`cat/img1.jpg`) in the seeds name real files; it also stands in for S3.
let tree: URL = {
    let link = Fuzz.scratch.appendingPathComponent("tree")
    try? FileManager.default.createSymbolicLink(at: link, withDestinationURL: Fuzz.resource("ImageDataTests/Resources/recordio/tree"))
    return link
}()

/// An augmented manifest (JSON Lines), validated as `train` reads it: single-label, multi-hot
/// or class-id labels (chosen by the input's length), references resolved and checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    let manifest = Fuzz.file("input.manifest", bytes)
    let variant = bytes.count % 3
    let options = ManifestOptions(attributeNames: ["source-ref", "class"],
                                  labels: LabelSpec(numClasses: 3, multiLabel: variant != 0),
                                  labelFormat: variant == 2 ? .classID : .multiHot,
                                  s3Mirror: tree, checkFiles: true)
    guard let source = try? AugmentedManifest.load(manifest, options: options) else { return 0 }
    for i in 0..<min(source.count, Fuzz.maxItems) {
        _ = try? source.labels(at: i)
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzManifest) }
}
