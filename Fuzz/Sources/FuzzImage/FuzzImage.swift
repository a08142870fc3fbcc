import ImageData
import FuzzSupport

/// JPEG and PNG decoding: the header alone (what a request handler checks), then the pixels
/// in grey and in colour, under a pixel cap as training and serving set one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    guard (try? ImageDecoder.header(bytes)) != nil else { return 0 }
    for channels in [1, 3] {
        _ = try? ImageDecoder.decode(bytes, options: DecodeOptions(channels: channels, maxPixels: 1 << 22))
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzImage) }
}
