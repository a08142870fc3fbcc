import Foundation
import TestFixtures
import Testing
import ImageData

/// RecordIO framing against files MXNet 1.9.1 wrote (`MXIndexedRecordIO.write_idx`).
@Suite(.removesTemporaryFolders) struct RecordIOTests {
    @Test func rawRecordsReadBackExactly() throws {
        let expected = try RecordIOFixtures.json("raw.json")
        let records = try RecordIOFixtures.readAll(RecordIOFixtures.url("raw.rec"))
        let index = try RecordIOIndex.read(contentsOf: RecordIOFixtures.url("raw.idx"))
        #expect(records.count == expected.count)
        #expect(index.count == expected.count)
        for (i, e) in expected.enumerated() {
            #expect(records[i].payload == RecordIOFixtures.hex(e["hex"] as! String), "record \(i)")
            #expect(index[i].key == e["key"] as! Int)
            #expect(index[i].offset == records[i].offset)
        }
    }

    @Test func randomAccessByIndexOffset() throws {
        let expected = try RecordIOFixtures.json("raw.json")
        let reader = try RecordIOReader(url: RecordIOFixtures.url("raw.rec"))
        // Backwards, to show that no sequential state is involved.
        for (i, entry) in try RecordIOIndex.read(contentsOf: RecordIOFixtures.url("raw.idx")).enumerated().reversed() {
            #expect(try reader.read(at: entry.offset) == RecordIOFixtures.hex(expected[i]["hex"] as! String))
        }
    }

    /// MXNet wrote raw.rec/raw.idx; writing the same payloads must give the same bytes, so whatever
    /// we write MXNet reads back identically.
    @Test func writerIsByteIdenticalToMXNet() throws {
        let dir = try RecordIOFixtures.tempDir()
        let rec = dir.appendingPathComponent("raw.rec"), idx = dir.appendingPathComponent("raw.idx")
        let writer = try RecordIOWriter(url: rec, indexURL: idx)
        for e in try RecordIOFixtures.json("raw.json") {
            try writer.write(RecordIOFixtures.hex(e["hex"] as! String), key: e["key"] as? Int)
        }
        try writer.close()
        #expect(try RecordIOFixtures.bytes(rec) == RecordIOFixtures.bytes(RecordIOFixtures.url("raw.rec")))
        #expect(try RecordIOFixtures.bytes(idx) == RecordIOFixtures.bytes(RecordIOFixtures.url("raw.idx")))
        #expect(RecordIO.encode(RecordIOFixtures.hex("0a23d7ce")) == RecordIOFixtures.hex("0a23d7ce000000200a23d7ce00000060"))
    }

    @Test func imageRecordsAndIndexRoundTrip() throws {
        let src = RecordIOFixtures.url("images.rec")
        let records = try RecordIOFixtures.readAll(src)
        let dir = try RecordIOFixtures.tempDir()
        let rec = dir.appendingPathComponent("copy.rec"), idx = dir.appendingPathComponent("copy.idx")
        let index = try RecordIOIndex.read(contentsOf: RecordIOFixtures.url("images.idx"))
        let writer = try RecordIOWriter(url: rec, indexURL: idx)
        for (r, e) in zip(records, index) { try writer.write(r.payload, key: e.key) }
        try writer.close()
        #expect(try RecordIOFixtures.bytes(rec) == RecordIOFixtures.bytes(src))
        #expect(try RecordIOFixtures.bytes(idx) == RecordIOFixtures.bytes(RecordIOFixtures.url("images.idx")))
    }

    /// A writer dropped on a throw, without close(): what it was given is flushed and its
    /// records indexed, as close() does (MXNet's bytes for what was written).
    @Test func aWriterDroppedOnAThrowStillWritesItsRecordsAndIndex() throws {
        let dir = try RecordIOFixtures.tempDir()
        let rec = dir.appendingPathComponent("part.rec"), idx = dir.appendingPathComponent("part.idx")
        let entries = try RecordIOFixtures.json("raw.json")
        func writeThenFail() throws {
            let writer = try RecordIOWriter(url: rec, indexURL: idx)
            for e in entries { try writer.write(RecordIOFixtures.hex(e["hex"] as! String), key: e["key"] as? Int) }
            try writer.write([UInt8](repeating: 0, count: RecordIO.maxLength))  // too large: throws
        }
        #expect(throws: RecordIOError.self) { try writeThenFail() }
        #expect(try RecordIOFixtures.bytes(rec) == RecordIOFixtures.bytes(RecordIOFixtures.url("raw.rec")))
        #expect(try RecordIOFixtures.bytes(idx) == RecordIOFixtures.bytes(RecordIOFixtures.url("raw.idx")))
    }

    /// Pipe mode: the same records from a pipe fed by another thread, no seeking.
    @Test(arguments: ["raw.rec", "images.rec", "multilabel.rec"])
    func streamReaderOverPipe(name: String) throws {
        let url = RecordIOFixtures.url(name)
        let expected = try RecordIOFixtures.readAll(url).map(\.payload)
        let bytes = try RecordIOFixtures.bytes(url)
        let pipe = Pipe()
        let writer = pipe.fileHandleForWriting
        let feeder = Thread {
            // Small, uneven writes so records arrive split across reads.
            var i = 0
            while i < bytes.count {
                let n = min(777, bytes.count - i)
                writer.write(Data(bytes[i..<(i + n)]))
                i += n
            }
            try? writer.close()
        }
        feeder.start()
        var reader = RecordIOStreamReader(fileHandle: pipe.fileHandleForReading, source: "pipe:\(name)")
        var got: [[UInt8]] = []
        while let p = try reader.next() { got.append(p) }
        #expect(got == expected)
        #expect(reader.position == UInt64(bytes.count))
    }

    @Test func truncatedFileNamesFileAndOffset() throws {
        let bytes = try RecordIOFixtures.bytes(RecordIOFixtures.url("raw.rec"))
        let dir = try RecordIOFixtures.tempDir()
        let cut = dir.appendingPathComponent("cut.rec")
        // Inside record 5's payload (it starts at 96 with 1000 bytes).
        try Data(bytes[0..<500]).write(to: cut)
        var reader = try RecordIOReader(url: cut)
        for _ in 0..<5 { _ = try reader.next() }
        let error = #expect(throws: RecordIOError.self) { try reader.next() }
        #expect(error == .truncatedPayload(source: cut.path, offset: 96, expected: 1000, got: 396))
        #expect(error!.description.contains(cut.path) && error!.description.contains("offset 96"))

        // A header cut short.
        try Data(bytes[0..<15]).write(to: cut)
        reader = try RecordIOReader(url: cut)
        _ = try reader.next()
        #expect(throws: RecordIOError.truncatedHeader(source: cut.path, offset: 12, got: 3)) { try reader.next() }

        // A split record whose last part is missing.
        try Data(bytes[0..<40]).write(to: cut)
        reader = try RecordIOReader(url: cut)
        _ = try reader.next(); _ = try reader.next()
        #expect(throws: RecordIOError.self) { try reader.next() }
    }

    @Test func badMagicAndMisplacedPartsAreReported() throws {
        var bytes = try RecordIOFixtures.bytes(RecordIOFixtures.url("raw.rec"))
        bytes[20] = 0x0B  // the magic word of record 2 (at offset 20)
        let dir = try RecordIOFixtures.tempDir()
        let bad = dir.appendingPathComponent("bad.rec")
        try Data(bytes).write(to: bad)
        var reader = try RecordIOReader(url: bad)
        _ = try reader.next(); _ = try reader.next()
        #expect(throws: RecordIOError.badMagic(source: bad.path, offset: 20, found: 0xCED7230B)) { try reader.next() }

        // Offset 32 is the middle part (cflag 2) of record 2: not a record start.
        let good = try RecordIOReader(url: RecordIOFixtures.url("raw.rec"))
        let error = #expect(throws: RecordIOError.self) { try good.read(at: 32) }
        #expect(error?.description.contains("cflag") == true)
    }

    @Test func indexErrorsNameTheLine() throws {
        #expect(throws: RecordIOError.badIndexLine(source: "x.idx", line: 2, text: "1 12")) {
            try RecordIOIndex.parse("0\t0\n1 12\n", source: "x.idx")
        }
        #expect(try RecordIOIndex.parse("0\t0\n\n5\t12\n", source: "x.idx").map(\.key) == [0, 5])
    }

    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
