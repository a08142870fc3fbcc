import Foundation
import Testing
import ImageData

/// Image records (24-byte header, multi-label) against MXNet 1.9.1's images.rec and multilabel.rec.
@Suite struct RecordIOImageRecordTests {
    @Test func passThroughRecordsMatchMXNetHeaders() throws {
        let expected = try RecordIOFixtures.json("images.json")
        let records = try RecordIOFixtures.readAll(RecordIOFixtures.url("images.rec"))
        #expect(records.count == expected.count)
        for (r, e) in zip(records, expected) {
            let (h, at) = try ImageRecordHeader.unpack(r.payload, source: "images.rec")
            #expect(h.flag == UInt32(e["flag"] as! Int))
            #expect(h.label == Float(e["label"] as! Double))
            #expect(h.id == UInt64(e["id"] as! Int))
            #expect(h.id2 == UInt64(e["id2"] as! Int))
            let image = Array(r.payload[at...])
            #expect(image.count == e["payload_len"] as! Int)
            #expect(SHA256.hex(image) == e["payload_sha256"] as! String)
            // Packing the same header and bytes gives MXNet's payload exactly.
            #expect(h.pack(image: image) == r.payload)
        }
    }

    @Test func multiLabelRecordsGiveLabelsAndPixels() throws {
        let expected = try RecordIOFixtures.json("multilabel.json")
        let records = try RecordIOFixtures.readAll(RecordIOFixtures.url("multilabel.rec"))
        let index = try RecordIOIndex.read(contentsOf: RecordIOFixtures.url("multilabel.idx"))
        #expect(records.count == expected.count)
        for ((r, entry), e) in zip(zip(records, index), expected) {
            #expect(entry.key == e["key"] as! Int)
            let (h, at) = try ImageRecordHeader.unpack(r.payload, source: "multilabel.rec")
            #expect(h.flag == 5)
            #expect(h.label == 0)
            #expect(h.labels == (e["labels"] as! [Double]).map(Float.init))
            #expect(h.allLabels == h.labels)
            let image = try ImageDecoder.decode(Array(r.payload[at...]), options: DecodeOptions(channels: 3))
            #expect([image.height, image.width, image.channels] == e["shape"] as! [Int])
            // MXNet hashed OpenCV's BGR pixels.
            var bgr = image.pixels
            for i in stride(from: 0, to: bgr.count, by: 3) { bgr.swapAt(i, i + 2) }
            #expect(SHA256.hex(bgr) == e["bgr_sha256"] as! String)
            #expect(h.pack(image: Array(r.payload[at...])) == r.payload)
        }
    }

    @Test func shortRecordsAreClearErrors() throws {
        let header = ImageRecordHeader(labels: [1, 0, 1], id: 7)
        let packed = header.pack(image: [1, 2, 3])
        #expect(packed.count == 24 + 12 + 3)
        #expect(try ImageRecordHeader.unpack(packed, source: "x").header == header)
        let error = #expect(throws: RecordIOError.self) {
            try ImageRecordHeader.unpack(Array(packed.prefix(30)), source: "train.rec record 3 at byte offset 96")
        }
        #expect(error?.description.contains("train.rec record 3 at byte offset 96") == true)
        #expect(error?.description.contains("flag = 3") == true)
        #expect(throws: RecordIOError.self) { try ImageRecordHeader.unpack([1, 2, 3], source: "x") }
    }
}
