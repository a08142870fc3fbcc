import Foundation
import TestFixtures
import Testing
import ImageData

/// Files saved with Windows line endings ("\r\n") read exactly as the same files with "\n".
@Suite(.removesTemporaryFolders) struct LineEndingTests {
    @Test func lstWithCRLFReadsAsLF() throws {
        try HostileInput.inFolder { folder in
            try HostileInput.write("x", to: folder.appendingPathComponent("a.jpg"))
            try HostileInput.write("x", to: folder.appendingPathComponent("b.jpg"))
            let lines = ["0\t1.000000\ta.jpg", "1\t0.000000\tb.jpg", "", "2\t1\ta.jpg"]
            let crlf = folder.appendingPathComponent("crlf.lst"), lf = folder.appendingPathComponent("lf.lst")
            try HostileInput.write(HostileInput.crlf(lines), to: crlf)
            try HostileInput.write(HostileInput.lf(lines), to: lf)
            let spec = LabelSpec(numClasses: 2)
            let fromCRLF = try LstFile.load(crlf, root: folder, labels: spec)
            #expect(fromCRLF.entries.count == 3)
            #expect(fromCRLF.entries == (try LstFile.load(lf, root: folder, labels: spec)).entries)
            #expect(fromCRLF.entries.map(\.line) == [1, 2, 4] && fromCRLF.entries[1].path == "b.jpg")
        }
    }

    @Test func idxWithCRLFReadsAsLF() throws {
        let lines = ["0\t0", "1\t1016", "7\t2048"]
        let crlf = try RecordIOIndex.parse(HostileInput.crlf(lines), source: "x.idx")
        let lf = try RecordIOIndex.parse(HostileInput.lf(lines), source: "x.idx")
        #expect(crlf.count == 3)
        #expect(crlf.map(\.key) == lf.map(\.key) && crlf.map(\.offset) == lf.map(\.offset))
        // Errors keep their line numbers.
        #expect(throws: RecordIOError.badIndexLine(source: "x.idx", line: 2, text: "bad")) {
            try RecordIOIndex.parse(HostileInput.crlf(["0\t0", "bad"]), source: "x.idx")
        }
    }

    @Test func manifestWithCRLFReadsAsLF() throws {
        try HostileInput.inFolder { folder in
            try HostileInput.write("x", to: folder.appendingPathComponent("a.jpg"))
            let lines = ["{\"source-ref\": \"a.jpg\", \"class\": 1}", "{\"source-ref\": \"a.jpg\", \"class\": \"0\"}"]
            let options = ManifestOptions(attributeNames: ["source-ref", "class"], labels: LabelSpec(numClasses: 2))
            let crlf = folder.appendingPathComponent("crlf.manifest"), lf = folder.appendingPathComponent("lf.manifest")
            try HostileInput.write(HostileInput.crlf(lines), to: crlf)
            try HostileInput.write(HostileInput.lf(lines), to: lf)
            let a = try AugmentedManifest.load(crlf, options: options).samples
            let b = try AugmentedManifest.load(lf, options: options).samples
            #expect(a.count == 2 && a.map(\.labels) == b.map(\.labels) && a.map(\.file) == b.map(\.file))
            #expect(a.map(\.reference) == ["\(crlf.path):1", "\(crlf.path):2"])
        }
    }

    @Test func im2recListWithCRLFReadsAsLF() {
        let lines = ["0\t1.000000\tcat/a.jpg", "1\t0.000000\tdog/b.jpg"]
        let crlf = ImageList.parse(HostileInput.crlf(lines), source: "x.lst")
        let lf = ImageList.parse(HostileInput.lf(lines), source: "x.lst")
        #expect(crlf.problems.isEmpty && crlf.items.count == 2 && crlf.items == lf.items)
        // Python's float() reads no hex: such a line is skipped and reported, as im2rec.py fails it.
        let hex = ImageList.parse("0\t0x3\ta.jpg\n", source: "x.lst")
        #expect(hex.items.isEmpty && hex.problems.first?.contains("line 1") == true)
    }
}
