import Foundation
import TestFixtures
import Testing
import ImageData

/// Bad im2rec options and lists end in an error naming the option, file or line: no trap,
/// no Swift internals in the message.
@Suite(.removesTemporaryFolders) struct Im2RecHardeningTests {
    /// A folder with one real JPEG, `cat/a.jpg`, and a list naming it and a missing file.
    func makeFolder(_ root: URL) throws -> URL {
        let jpeg = try ImageEncoder.jpeg(Image(width: 6, height: 4, channels: 3, fill: 90), quality: 90)
        try HostileInput.write(jpeg, to: root.appendingPathComponent("cat/a.jpg"))
        let list = root.appendingPathComponent("train.lst")
        try HostileInput.write("0\t0.000000\tcat/a.jpg\n1\t0.000000\tcat/missing.jpg\n", to: list)
        return list
    }

    @Test func skippedImagesAreReportedByMessageOnly() throws {
        try HostileInput.inFolder { root in
            let list = try makeFolder(root)
            var logged: [String] = []
            let summary = try Im2RecPacker.pack(list: list, root: root, options: PackOptions()) { logged.append($0) }
            #expect(summary.written == 1 && summary.failures.count == 1)
            let failure = try #require(summary.failures.first)
            #expect(failure.hasPrefix("train.lst: index 1: \(root.path)/cat/missing.jpg: cannot read"), "\(failure)")
            #expect(!failure.contains("Failure(") && !failure.contains("message:"))
            #expect(logged.contains(failure))
        }
    }

    /// The .rec and .idx are packed under temporary names and put in place together: a run
    /// that fails half-way (the disk fills up) leaves the previous pair as it was, and a run
    /// that succeeds leaves no temporary file behind.
    @Test func anInterruptedPackLeavesThePreviousPair() throws {
        try HostileInput.inFolder { root in
            let list = root.appendingPathComponent("photos.lst")
            var lines: [String] = []
            for i in 0..<40 {
                let jpeg = try ImageEncoder.jpeg(Image(width: 64, height: 64, channels: 3, fill: UInt8(i * 5)), quality: 100)
                try HostileInput.write(jpeg, to: root.appendingPathComponent("img/\(i).jpg"))
                lines.append("\(i)\t0.000000\timg/\(i).jpg")
            }
            try HostileInput.write(lines.prefix(2).joined(separator: "\n") + "\n", to: list)
            let first = try ImgclfBinary.run(["im2rec", root.appendingPathComponent("photos").path, root.path, "--pass-through"])
            #expect(first.status == 0, "\(first.output)")
            let rec = root.appendingPathComponent("photos.rec"), idx = root.appendingPathComponent("photos.idx")
            let (oldRec, oldIdx) = (try Data(contentsOf: rec), try Data(contentsOf: idx))
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["img", "photos.idx", "photos.lst", "photos.rec"])

            try HostileInput.write(lines.joined(separator: "\n") + "\n", to: list)
            let full = try ImgclfBinary.run(["im2rec", root.appendingPathComponent("photos").path, root.path, "--pass-through"],
                                            fileSizeLimitKB: 8)
            #expect(full.status != 0, "\(full.output)")
            #expect(full.output.contains("File too large"), "\(full.output)")
            #expect(try Data(contentsOf: rec) == oldRec && Data(contentsOf: idx) == oldIdx)
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["img", "photos.idx", "photos.lst", "photos.rec"])
        }
    }

    @Test func aHugeResizeFailsTheImageInsteadOfOverflowing() throws {
        try HostileInput.inFolder { root in
            let list = try makeFolder(root)
            var options = PackOptions()
            options.resize = 1_000_000_000_000_000_000
            options.threads = Int.max   // capped, so the batch size cannot overflow either
            let summary = try Im2RecPacker.pack(list: list, root: root, options: options)
            #expect(summary.written == 0 && summary.failures.count == 2)
            #expect(summary.failures[0].contains("--resize 1000000000000000000 would make this 6x4 image larger than --max-pixels 100000000"),
                    "\(summary.failures[0])")
        }
    }

    @Test func tooManyChunksIsARangeError() throws {
        try HostileInput.inFolder { root in
            _ = try makeFolder(root)
            var options = ListOptions()
            options.chunks = Int.max
            let error = #expect(throws: Im2RecError.self) {
                try ImageList.make(prefix: root.appendingPathComponent("out").path, root: root, options: options)
            }
            #expect(error?.description.contains("--chunks must be at most 10000") == true)
        }
    }
}
