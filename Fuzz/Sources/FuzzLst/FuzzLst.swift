import ImageData
import Foundation
import FuzzSupport

/// The image tree the test suite's `.lst` files name, so valid lines find their files.
let root = Fuzz.resource("ImageDataTests/Resources/recordio/tree")

/// A `.lst` file, validated as `train` reads it (single- or multi-label, files checked),
/// then turned into samples.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLst(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    let url = Fuzz.file("input.lst", bytes)
    let labels = LabelSpec(numClasses: 3, multiLabel: bytes.count % 2 == 1)
    guard let list = try? LstFile.load(url, root: root, labels: labels, checkFiles: true) else { return 0 }
    _ = list.samples(root: root, listName: "input.lst")
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzLst) }
}
