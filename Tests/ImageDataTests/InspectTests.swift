import Foundation
import TestFixtures
import Testing
import ImageData

/// `imgclf inspect` output for .rec files.
@Suite(.removesTemporaryFolders) struct InspectTests {
    static func lines(_ name: String) throws -> [[String: Any]] {
        var out: [[String: Any]] = []
        try RecordInspector.inspect(rec: RecordIOFixtures.url(name)) { line in
            out.append(try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])
        }
        return out
    }

    @Test func imagesRecMatchesMXNetFields() throws {
        let got = try Self.lines("images.rec")
        let expected = try RecordIOFixtures.json("images.json")
        let index = try RecordIOIndex.read(contentsOf: RecordIOFixtures.url("images.idx"))
        #expect(got.count == expected.count)
        for ((g, e), entry) in zip(zip(got, expected), index) {
            for field in ["key", "flag", "id", "id2", "payload_len"] { #expect(g[field] as? Int == e[field] as? Int, "\(field)") }
            #expect(g["label"] as? Double == e["label"] as? Double)
            #expect(g["payload_sha256"] as? String == e["payload_sha256"] as? String)
            #expect(g["offset"] as? Int == Int(entry.offset))
            #expect((g["width"] as? Int ?? 0) > 0 && (g["height"] as? Int ?? 0) > 0)
            #expect([1, 3, 4].contains(g["channels"] as? Int ?? 0))
        }
    }

    @Test func multiLabelShowsLabelList() throws {
        let got = try Self.lines("multilabel.rec")
        let expected = try RecordIOFixtures.json("multilabel.json")
        for (g, e) in zip(got, expected) {
            #expect(g["flag"] as? Int == 5)
            #expect(g["label"] as? [Double] == e["labels"] as? [Double])
            #expect(g["key"] as? Int == e["key"] as? Int)
            #expect(g["width"] as? Int == 14 && g["height"] as? Int == 12 && g["channels"] as? Int == 3)
        }
    }

    @Test func withoutIndexKeysAreOrdinals() throws {
        let dir = try RecordIOFixtures.tempDir()
        let rec = dir.appendingPathComponent("noindex.rec")
        try FileManager.default.copyItem(at: RecordIOFixtures.url("multilabel.rec"), to: rec)
        var keys: [Int] = []
        try RecordInspector.inspect(rec: rec) { line in
            keys.append((try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])["key"] as! Int)
        }
        #expect(keys == Array(0..<6))
    }

    @Test func rawRecordsReportHeaderErrorsPerRecord() throws {
        let got = try Self.lines("raw.rec")
        #expect(got.count == 7)
        #expect((got[0]["error"] as? String)?.contains("24-byte header") == true)
        // 1000 random bytes: a header declaring more labels than the record holds.
        #expect((got[5]["error"] as? String)?.contains("declares flag") == true)
        #expect(got[5]["payload_len"] as? Int == 1000)
    }
}
