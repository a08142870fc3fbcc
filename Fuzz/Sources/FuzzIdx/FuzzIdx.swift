import ImageData
import Foundation
import FuzzSupport

/// The test suite's `images.rec`, copied once: the fuzzed `.idx` points into a real file.
let recordFile: URL = {
    let url = Fuzz.scratch.appendingPathComponent("images.rec")
    try? FileManager.default.removeItem(at: url)
    try? FileManager.default.copyItem(at: Fuzz.resource("ImageDataTests/Resources/recordio/images.rec"), to: url)
    return url
}()

/// An `.idx` beside a real `.rec`: parsed, then every record it names is read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIdx(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let index = Fuzz.file("input.idx", Fuzz.bytes(start, count))
    guard let source = try? RecordFileSource(url: recordFile, index: index, labels: LabelSpec(numClasses: 3)) else { return 0 }
    for i in 0..<min(source.count, Fuzz.maxItems) {
        _ = try? source.load(at: i)
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzIdx) }
}
