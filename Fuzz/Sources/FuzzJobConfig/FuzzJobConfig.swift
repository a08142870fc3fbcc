import Foundation
import FuzzSupport
import Training

/// A job folder's JSON configuration: the same bytes read as `inputdataconfig.json` and as
/// `resourceconfig.json` (the seeds hold both kinds).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJobConfig(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = Data(Fuzz.bytes(start, count))
    _ = try? InputDataConfig.parse(data, source: "inputdataconfig.json")
    if let resources = try? ResourceConfig.parse(data, source: "resourceconfig.json") {
        _ = resources.rank
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzJobConfig) }
}
