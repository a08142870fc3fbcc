import Foundation
import TestFixtures
import Testing
import ImageData

/// `imgclf im2rec` against what MXNet 1.9.1's im2rec.py produced from Resources/recordio/tree.
@Suite(.removesTemporaryFolders) struct Im2RecTests {
    static let tree = RecordIOFixtures.url("tree")

    @Test func pythonRandomMatchesCPython() {
        // python3: random.seed(100); [random.getrandbits(32) for _ in range(3)]
        var r = PythonRandom(seed: 100)
        #expect([r.nextUInt32(), r.nextUInt32(), r.nextUInt32()] == [625644691, 1973661107, 1953896601])
        // random.seed(2**40 + 5): two 32-bit key words.
        var big = PythonRandom(seed: (1 << 40) + 5)
        #expect([big.nextUInt32(), big.nextUInt32()] == [2166296868, 2220160828])
        // random.seed(100); x = list(range(20)); random.shuffle(x)
        var s = PythonRandom(seed: 100)
        var x = Array(0..<20)
        s.shuffle(&x)
        #expect(x == [7, 15, 19, 0, 2, 3, 13, 9, 10, 17, 1, 8, 6, 16, 11, 12, 5, 18, 14, 4])
    }

    @Test func listMatchesIm2RecByteForByte() throws {
        let dir = try RecordIOFixtures.tempDir()
        var options = ListOptions()
        options.recursive = true
        let (files, classes) = try ImageList.make(prefix: dir.appendingPathComponent("images").path, root: Self.tree, options: options)
        #expect(files.map(\.lastPathComponent) == ["images.lst"])
        #expect(try RecordIOFixtures.bytes(files[0]) == RecordIOFixtures.bytes(RecordIOFixtures.url("images.lst")))
        #expect(classes.map(\.folder) == ["Zebra", "cat", "dog"])
    }

    @Test func splitListsMatchIm2Rec() throws {
        let dir = try RecordIOFixtures.tempDir()
        var options = ListOptions()
        options.recursive = true
        options.trainRatio = 0.6
        options.testRatio = 0.2
        let (files, _) = try ImageList.make(prefix: dir.appendingPathComponent("split").path, root: Self.tree, options: options)
        #expect(Set(files.map(\.lastPathComponent)) == ["split_train.lst", "split_val.lst", "split_test.lst"])
        for name in ["split_train.lst", "split_val.lst", "split_test.lst"] {
            #expect(try RecordIOFixtures.bytes(dir.appendingPathComponent(name)) == RecordIOFixtures.bytes(RecordIOFixtures.url(name)), "\(name)")
        }
    }

    @Test func chunksAndNoShuffleAndFlatListing() throws {
        let dir = try RecordIOFixtures.tempDir()
        var options = ListOptions()
        options.recursive = true
        options.shuffle = false
        options.chunks = 3
        let (files, _) = try ImageList.make(prefix: dir.appendingPathComponent("c").path, root: Self.tree, options: options)
        #expect(files.map(\.lastPathComponent) == ["c_0.lst", "c_1.lst", "c_2.lst"])
        let first = try String(contentsOf: files[0], encoding: .utf8)
        // Unshuffled: walk order, Zebra (0) first; 14 images in chunks of 5, 5, 4.
        #expect(first.hasPrefix("0\t0.000000\tZebra/img0.png\n1\t0.000000\tZebra/img1.jpg\n"))
        #expect(first.split(separator: "\n").count == 5)
        #expect(try String(contentsOf: files[2], encoding: .utf8).split(separator: "\n").count == 4)
        // Not recursive: only the root's own files (none here), label 0.
        let flat = try ImageLister.list(root: Self.tree.appendingPathComponent("cat"), recursive: false)
        #expect(flat.images.map(\.path) == ["gray.png", "img0.png", "img1.jpg", "img2.PNG", "img3.jpeg"])
        #expect(flat.images.allSatisfy { $0.labels == [0] })
        let onlyJPEG = try ImageLister.list(root: Self.tree, recursive: true, extensions: [".jpg"])
        #expect(onlyJPEG.images.map(\.path) == ["Zebra/img1.jpg", "cat/img1.jpg", "dog/img1.jpg"])
    }

    /// `--pass-through` must give MXNet's images.rec and images.idx exactly.
    @Test func passThroughPackingIsByteIdentical() throws {
        let dir = try RecordIOFixtures.tempDir()
        let list = dir.appendingPathComponent("images.lst")
        try FileManager.default.copyItem(at: RecordIOFixtures.url("images.lst"), to: list)
        var options = PackOptions()
        options.passThrough = true
        let summary = try Im2RecPacker.pack(list: list, root: Self.tree, options: options)
        #expect(summary.written == 14 && summary.failures.isEmpty)
        #expect(try RecordIOFixtures.bytes(summary.recURL) == RecordIOFixtures.bytes(RecordIOFixtures.url("images.rec")))
        #expect(try RecordIOFixtures.bytes(summary.idxURL) == RecordIOFixtures.bytes(RecordIOFixtures.url("images.idx")))
    }

    /// `--resize 16 --quality 90`: labels and decoded sizes as MXNet's resized.rec (pixels differ
    /// slightly between encoders, so only sizes are compared), with one and with two threads.
    @Test(arguments: [1, 2]) func resizedPackingMatchesSizes(threads: Int) throws {
        let dir = try RecordIOFixtures.tempDir()
        // MXNet packed resized.rec from the same list as images.rec (its resized.lst was images.lst).
        let list = dir.appendingPathComponent("resized.lst")
        try FileManager.default.copyItem(at: RecordIOFixtures.url("images.lst"), to: list)
        var options = PackOptions()
        options.resize = 16
        options.quality = 90
        options.threads = threads
        let summary = try Im2RecPacker.pack(list: list, root: Self.tree, options: options)
        let expected = try RecordIOFixtures.json("resized.json")
        let ours = try RecordIOFixtures.readAll(summary.recURL)
        let theirs = try RecordIOFixtures.readAll(RecordIOFixtures.url("resized.rec"))
        #expect(ours.count == expected.count)
        for ((r, m), e) in zip(zip(ours, theirs), expected) {
            let (h, at) = try ImageRecordHeader.unpack(r.payload, source: "ours")
            let (hm, atm) = try ImageRecordHeader.unpack(m.payload, source: "mxnet")
            #expect(h == hm)
            #expect(h.label == Float(e["label"] as! Double))
            let image = try ImageDecoder.decode(Array(r.payload[at...]))
            let reference = try ImageDecoder.decode(Array(m.payload[atm...]))
            #expect(image.width == e["width"] as! Int && image.height == e["height"] as! Int)
            #expect(ImageFormat.sniff(Array(r.payload[at...])) == .jpeg)
            // Same resize, same quality: the pixels stay close to MXNet's.
            let diff = zip(image.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
            #expect(Double(diff.reduce(0, +)) / Double(diff.count) < 4, "mean abs difference vs MXNet")
        }
        // Same keys in the same order (offsets differ with the encoded sizes).
        #expect(try RecordIOIndex.read(contentsOf: summary.idxURL).map(\.key) == RecordIOIndex.read(contentsOf: RecordIOFixtures.url("resized.idx")).map(\.key))
    }

    @Test func packLabelCenterCropPNGAndGray() throws {
        let dir = try RecordIOFixtures.tempDir()
        let list = dir.appendingPathComponent("multi.lst")
        try "3\t1.000000\t0.000000\t1.000000\tcat/img0.png\n9\t0.000000\t1.000000\t1.000000\tdog/rgba.png\nbad line\n"
            .write(to: list, atomically: true, encoding: .utf8)
        var options = PackOptions()
        options.packLabel = true
        options.centerCrop = true
        options.resize = 8
        options.encoding = ".png"
        options.color = 0
        var log: [String] = []
        let summary = try Im2RecPacker.pack(list: list, root: Self.tree, options: options) { log.append($0) }
        #expect(log.contains { $0.contains("line 3") })
        let records = try RecordIOFixtures.readAll(summary.recURL)
        #expect(records.count == 2)
        let (h, at) = try ImageRecordHeader.unpack(records[0].payload, source: "multi")
        #expect(h.flag == 3 && h.labels == [1, 0, 1] && h.id == 3)
        let image = Array(records[0].payload[at...])
        #expect(ImageFormat.sniff(image) == .png)
        let info = try ImageDecoder.header(image)
        #expect(info.width == 8 && info.height == 8 && info.channels == 1)
    }

    @Test func unreadableImagesAreSkippedAndNamed() throws {
        let dir = try RecordIOFixtures.tempDir()
        let list = dir.appendingPathComponent("broken.lst")
        try "1\t0.000000\tdog/notes.txt\n2\t1.000000\tmissing.jpg\n3\t2.000000\tdog/img1.jpg\n".write(to: list, atomically: true, encoding: .utf8)
        let summary = try Im2RecPacker.pack(list: list, root: Self.tree, options: PackOptions())
        #expect(summary.written == 1)
        #expect(summary.failures.count == 2)
        #expect(summary.failures[0].contains("notes.txt") && summary.failures[0].contains("not a JPEG or PNG"))
        #expect(summary.failures[1].contains("missing.jpg") && summary.failures[1].contains("index 2"))
    }
}
