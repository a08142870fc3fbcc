import Foundation
import Testing
import ImageData

/// A real JPEG cut at several points before and after its frame header (SOF): before it the
/// error says the file is truncated before its SOF marker; after it, libjpeg's own message.
@Suite struct JPEGTruncationTests {
    /// The offset of the first SOF marker (FF C0 or FF C2) in `bytes`.
    static func sofOffset(_ bytes: [UInt8]) -> Int? {
        (2..<(bytes.count - 1)).first { bytes[$0] == 0xFF && (bytes[$0 + 1] == 0xC0 || bytes[$0 + 1] == 0xC2) }
    }

    @Test(arguments: ["baseline.jpg", "progressive.jpg"])
    func cutBeforeTheFrameHeaderSaysSo(name: String) throws {
        let jpeg = try CodecTests.load(name)
        let sof = try #require(Self.sofOffset(jpeg))
        #expect(sof > 20, "the fixture has segments before its frame header")
        for cut in [3, 4, 7, sof / 2, sof, sof + 1, sof + 5] {
            let message: String
            do {
                _ = try ImageDecoder.decode(Array(jpeg[..<cut]))
                Issue.record("\(name) cut at \(cut) decoded"); continue
            } catch { message = "\(error)" }
            #expect(message.contains("truncated before its SOF marker") && message.contains("after \(cut) bytes"), "\(name) cut at \(cut): \(message)")
        }
        // Cut after the frame header: truncated too, but not before its SOF.
        for cut in [sof + 40, jpeg.count / 2] {
            #expect(throws: ImageDecodeError.self) { try ImageDecoder.decode(Array(jpeg[..<cut])) }
            do { _ = try ImageDecoder.decode(Array(jpeg[..<cut])) } catch {
                #expect(!"\(error)".contains("before its SOF marker"), "\(name) cut at \(cut): \(error)")
            }
        }
    }
}
