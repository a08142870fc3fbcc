import ImageData
import Foundation
import FuzzSupport

/// A `.rec` of image records, read as File mode does (a scan for offsets, then each record's
/// header, labels checked, image decoded) and as Pipe mode does (a stream of records).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordIO(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = Fuzz.bytes(start, count)
    let rec = Fuzz.file("input.rec", bytes)
    // One input picks single- or multi-label, so both label checks see every record shape.
    let labels = LabelSpec(numClasses: 4, multiLabel: bytes.count % 2 == 1)
    if let source = try? RecordFileSource(url: rec, labels: labels) {
        for index in 0..<min(source.count, Fuzz.maxItems) {
            guard let sample = try? source.load(at: index) else { continue }
            _ = try? ImageDecoder.decode(sample.imageBytes, options: DecodeOptions(channels: 3, maxPixels: 1 << 20))
        }
    }
    if let handle = try? FileHandle(forReadingFrom: rec) {
        var stream = PipeRecordStream(fileHandle: handle, source: rec.path, layout: .imageRecords, labels: labels)
        for _ in 0..<Fuzz.maxItems {
            guard let sample = try? stream.next() else { break }
            _ = sample.labels.count
        }
        try? handle.close()
    }
    return 0
}

@main
enum Main {
    static func main() { Fuzz.run(fuzzRecordIO) }
}
