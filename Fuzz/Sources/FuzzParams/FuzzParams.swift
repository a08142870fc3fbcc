import Foundation
import FuzzSupport
import Graph

/// An MXNet `.params` file: every array decoded, then converted to floats as loading does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParams(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(Fuzz.bytes(start, count))
    guard let arrays = try? ParamsFile.read(data: data, source: "input.params") else { return 0 }
    for (_, array) in arrays.prefix(Fuzz.maxItems) {
        _ = array.floats()
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzParams) }
}
