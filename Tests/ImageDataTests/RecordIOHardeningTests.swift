import Foundation
import TestFixtures
import Testing
import ImageData

/// Hostile `.rec` and `.idx` files: offsets out of range, repeated entries, lengths that lie,
/// and paths that are not regular files.
@Suite(.removesTemporaryFolders) struct RecordIOHardeningTests {
    /// A 3-record `.rec` with the given `.idx` text beside it; returns the error opening it gives.
    func openError(index: String) throws -> String {
        try HostileInput.inFolder { folder in
            let rec = folder.appendingPathComponent("train.rec")
            try HostileInput.recordFile(labels: [0, 1, 0], at: rec)
            try HostileInput.write(index, to: folder.appendingPathComponent("train.idx"))
            do {
                _ = try RecordFileSource(url: rec, labels: LabelSpec(numClasses: 2))
                return ""
            } catch {
                return "\(error)"
            }
        }
    }

    @Test func hugeNegativeOrPastTheEndOffsetsNameTheIndexLine() throws {
        let huge = try openError(index: "0\t0\n1\t18446744073709551615\n")
        #expect(huge.contains("train.idx: line 2") && huge.contains("past the end of the record file"), "\(huge)")
        let negative = try openError(index: "0\t-8\n")
        #expect(negative.contains("train.idx: line 1") && negative.contains("'-8' is not a byte offset"), "\(negative)")
        let overflowing = try openError(index: "0\t0\n1\t99999999999999999999999\n")
        #expect(overflowing.contains("line 2") && overflowing.contains("is not a byte offset"), "\(overflowing)")
        let pastEnd = try openError(index: "0\t0\n1\t100000\n")
        #expect(pastEnd.contains("line 2") && pastEnd.contains("offset 100000 is past the end"), "\(pastEnd)")
    }

    @Test func aHugeOffsetReadDirectlyIsAnErrorNotATrap() throws {
        try HostileInput.inFolder { folder in
            let rec = folder.appendingPathComponent("a.rec")
            try HostileInput.recordFile(labels: [0], at: rec)
            let reader = try RecordIOReader(url: rec)
            let error = #expect(throws: RecordIOError.self) { try reader.read(at: UInt64.max) }
            #expect(error?.description.contains("a.rec") == true)
        }
    }

    @Test func duplicateIndexEntriesNameBothLines() throws {
        let offset = try HostileInput.inFolder { folder -> UInt64 in
            let rec = folder.appendingPathComponent("x.rec")
            try HostileInput.recordFile(labels: [0, 1], at: rec, index: folder.appendingPathComponent("x.idx"))
            return try RecordIOIndex.read(contentsOf: folder.appendingPathComponent("x.idx"))[1].offset
        }
        let sameLine = try openError(index: "0\t0\n1\t\(offset)\n2\t\(offset)\n")
        #expect(sameLine.contains("offset \(offset) is listed twice (lines 2 and 3)"), "\(sameLine)")
        let sameKey = try openError(index: "0\t0\n0\t\(offset)\n")
        #expect(sameKey.contains("key 0 is listed twice (lines 1 and 2)"), "\(sameKey)")
    }

    /// 12 bytes declaring a 0x1FFFFFFF-byte record: truncation is reported from the file size,
    /// before anything is allocated for the declared length.
    @Test func aLyingRecordLengthIsReportedAsTruncation() throws {
        var bytes: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE, 0xFF, 0xFF, 0xFF, 0x1F, 1, 2, 3, 4]
        try HostileInput.inFolder { folder in
            let rec = folder.appendingPathComponent("liar.rec")
            try HostileInput.write(bytes, to: rec)
            var reader = try RecordIOReader(url: rec)
            #expect(throws: RecordIOError.truncatedPayload(source: rec.path, offset: 0, expected: 0x2000_0000, got: 4)) {
                try reader.next()
            }
        }
        // The same through a pipe: read in bounded chunks, so only the bytes that arrive are held.
        let pipe = Pipe()
        pipe.fileHandleForWriting.write(Data(bytes))
        try pipe.fileHandleForWriting.close()
        var stream = RecordIOStreamReader(fileHandle: pipe.fileHandleForReading, source: "pipe")
        #expect(throws: RecordIOError.truncatedPayload(source: "pipe", offset: 0, expected: 0x2000_0000, got: 4)) {
            try stream.next()
        }
        // Continuation parts must not grow one record past the format's 2^29-byte limit.
        bytes = [0x0A, 0x23, 0xD7, 0xCE, 0x00, 0x00, 0x00, 0x20]             // cflag 1 (first part), empty
        bytes += [0x0A, 0x23, 0xD7, 0xCE, 0xFF, 0xFF, 0xFF, 0x5F]            // cflag 2, 0x1FFFFFFF bytes
        let pipe2 = Pipe()
        pipe2.fileHandleForWriting.write(Data(bytes))
        try pipe2.fileHandleForWriting.close()
        var stream2 = RecordIOStreamReader(fileHandle: pipe2.fileHandleForReading, source: "pipe2")
        let error = #expect(throws: RecordIOError.self) { try stream2.next() }
        #expect(error?.description.contains("2^29") == true, "\(String(describing: error))")
    }

    @Test func aFifoOrADeviceIsNamedForWhatItIs() throws {
        try HostileInput.inFolder { folder in
            let fifo = try HostileInput.fifo(at: folder.appendingPathComponent("train.rec"))
            let recError = #expect(throws: RecordIOError.self) { _ = try RecordIOReader(url: fifo) }
            #expect(recError?.description.contains("FIFO") == true && recError?.description.contains("not a regular file") == true)
            #expect(recError?.description.contains("permission") == false)
            let zero = #expect(throws: RecordIOError.self) { _ = try RecordIOReader(url: URL(fileURLWithPath: "/dev/zero")) }
            #expect(zero?.description.contains("/dev/zero: it is a character device, not a regular file; expected a RecordIO .rec file") == true)

            let lst = try HostileInput.fifo(at: folder.appendingPathComponent("train.lst"))
            let lstError = #expect(throws: DatasetError.self) { _ = try LstFile.load(lst, root: folder, labels: LabelSpec(numClasses: 2)) }
            #expect(String(describing: lstError).contains("FIFO (named pipe), not a regular file; expected a .lst list file"))
            let manifest = #expect(throws: DatasetError.self) {
                _ = try AugmentedManifest.load(URL(fileURLWithPath: "/dev/zero"), options: ManifestOptions(
                    attributeNames: ["source-ref", "class"], labels: LabelSpec(numClasses: 2)))
            }
            #expect(String(describing: manifest).contains("character device, not a regular file; expected a JSON Lines manifest"))

            // An .idx that is a FIFO beside a good .rec.
            let rec = folder.appendingPathComponent("good.rec")
            try HostileInput.recordFile(labels: [0], at: rec)
            _ = try HostileInput.fifo(at: folder.appendingPathComponent("good.idx"))
            let idxError = #expect(throws: DatasetError.self) { _ = try RecordFileSource(url: rec, labels: LabelSpec(numClasses: 2)) }
            #expect(String(describing: idxError).contains("good.idx: it is a FIFO"))

            // An image named by a list that is a FIFO.
            _ = try HostileInput.fifo(at: folder.appendingPathComponent("img.jpg"))
            var report = ValidationReport()
            _ = LstFile.parse("0\t1\timg.jpg\n", file: "a.lst", root: folder, labels: LabelSpec(numClasses: 2),
                              checkFiles: true, report: &report)
            #expect(report.problems.first?.message.contains("FIFO (named pipe), not a regular file; expected an image file") == true)
        }
    }
}
