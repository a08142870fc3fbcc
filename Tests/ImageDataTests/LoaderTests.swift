import Foundation
import TestFixtures
import Testing
import ImageData

/// Collects warnings from worker threads.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

@Suite(.removesTemporaryFolders) struct LoaderTests {
    let plain = Augmenter(imageShape: [3, 8, 8], resize: nil, params: .none)

    /// The solid value of image `slot` of a batch (images are solid, value = source index).
    func value(_ batch: Batch, _ slot: Int) -> Int { Int(batch.data[slot * 192]) }

    func epoch(_ loader: BatchLoader, _ e: Int) throws -> [Batch] {
        try loader.startEpoch(e)
        var out: [Batch] = []
        while let b = try loader.next() {
            // Copy what we need: the buffers are reused.
            let data = Array(b.data), labels = Array(b.labels)
            let d = UnsafeMutableBufferPointer<Float>.allocate(capacity: data.count); _ = d.initialize(from: data)
            let l = UnsafeMutableBufferPointer<Float>.allocate(capacity: labels.count); _ = l.initialize(from: labels)
            out.append(Batch(data: UnsafeBufferPointer(d), labels: UnsafeBufferPointer(l), count: b.count, pad: b.pad,
                             sampleIndices: b.sampleIndices, index: b.index))
        }
        return out
    }

    @Test func everySampleExactlyOncePerEpochAndANewOrderNextEpoch() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let source = SourcesFixtures.solidImageSource(count: 23, in: folder)
        let loader = try BatchLoader(source: source, augmenter: plain, config: LoaderConfig(batchSize: 5, threads: 3, seed: 11))
        #expect(loader.batchesPerEpoch == 5)
        let e0 = try epoch(loader, 0)
        #expect(e0.count == 5)
        #expect(e0.map(\.pad) == [0, 0, 0, 0, 2])
        let real0 = e0.flatMap { b in (0..<b.count).map { value(b, $0) } }
        #expect(real0.sorted() == Array(0..<23))
        for b in e0 {
            for s in 0..<5 {
                #expect(value(b, s) == b.sampleIndices[s])
                #expect(b.labels[s] == Float(b.sampleIndices[s] % 3))
                #expect(b.data[s * 192 + 191] == Float(b.sampleIndices[s]))
            }
        }
        // Padding wraps to the start of the epoch's order, like round_batch.
        #expect(Array(e0[4].sampleIndices[3...]) == Array(e0[0].sampleIndices[0..<2]))
        let e1 = try epoch(loader, 1)
        let real1 = e1.flatMap { b in (0..<b.count).map { value(b, $0) } }
        #expect(real1.sorted() == Array(0..<23))
        #expect(real1 != real0)
    }

    @Test func sameSeedSameBatchesWhateverTheThreadCount() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let bytes = try [UInt8](Data(contentsOf: SourcesFixtures.sources.appendingPathComponent("photo.jpg")))
        var samples: [Sample] = []
        let photo = folder.appendingPathComponent("photo.jpg")
        FileManager.default.createFile(atPath: photo.path, contents: Data(bytes))
        for i in 0..<12 { samples.append(Sample(labels: [Float(i % 2)], file: photo, reference: "photo \(i)")) }
        let source = FileSampleSource(samples: samples)
        let aug = Augmenter(imageShape: [3, 32, 32], resize: 40, params: .training(.cropColorTransform))
        func run(_ threads: Int) throws -> [[Float]] {
            let loader = try BatchLoader(source: source, augmenter: aug, config: LoaderConfig(batchSize: 4, threads: threads, seed: 99))
            return try (0..<2).flatMap { try epoch(loader, $0).map { Array($0.data) + Array($0.labels) } }
        }
        let one = try run(1), four = try run(4)
        #expect(one.count == 6)
        #expect(one == four)
    }

    @Test func shardsAreDisjointAndCoverEverything() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let source = SourcesFixtures.solidImageSource(count: 10, in: folder)
        var all: [Int] = []
        var batchCounts: [Int] = []
        for rank in 0..<3 {
            let loader = try BatchLoader(source: source, augmenter: plain,
                                         config: LoaderConfig(batchSize: 2, threads: 2, seed: 5, rank: rank, workers: 3))
            let batches = try epoch(loader, 0)
            batchCounts.append(batches.count)
            let mine = batches.flatMap { b in (0..<b.count).map { value(b, $0) } }
            // Sources sorted by class must not give a worker only some classes: every
            // shard reaches both ends of the source.
            #expect(mine.min()! < 3 && mine.max()! >= 7, "rank \(rank) got \(mine.sorted())")
            all += mine
        }
        #expect(all.sorted() == Array(0..<10))
        #expect(Set(batchCounts).count == 1)  // every worker steps the same number of times
    }

    @Test func badImageIsSkippedWithACountedWarning() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let source = SourcesFixtures.solidImageSource(count: 9, in: folder, broken: [4])
        let log = WarningLog()
        let loader = try BatchLoader(source: source, augmenter: plain, config: LoaderConfig(
            batchSize: 3, threads: 2, seed: 1, shuffle: false, warn: { log.add($0) }))
        let batches = try epoch(loader, 0)
        #expect(loader.skippedInEpoch == 1)
        #expect(batches.map(\.count) == [3, 2, 3])
        #expect(batches[1].pad == 1)
        #expect(batches.flatMap { b in (0..<b.count).map { value(b, $0) } } == [0, 1, 2, 3, 5, 6, 7, 8])
        #expect(log.all.count == 1)
        #expect(log.all.first?.contains("img4.jpg") == true)
    }

    @Test func anEpochWithNoDecodableImageIsAnError() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let source = SourcesFixtures.solidImageSource(count: 4, in: folder, broken: [0, 1, 2, 3])
        let loader = try BatchLoader(source: source, augmenter: plain,
                                     config: LoaderConfig(batchSize: 2, threads: 2, warn: { _ in }))
        #expect(throws: LoaderError.self) { _ = try epoch(loader, 0) }
    }

    @Test func withoutSkippingABadImageFailsTheEpoch() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let source = SourcesFixtures.solidImageSource(count: 4, in: folder, broken: [2])
        let loader = try BatchLoader(source: source, augmenter: plain,
                                     config: LoaderConfig(batchSize: 2, threads: 1, shuffle: false, skipBadImages: false))
        #expect { _ = try epoch(loader, 0) } throws: { "\($0)".contains("img2.jpg") }
    }

    /// Training and validation read through the loader: a 9000x1 PNG (few pixels, one side
    /// past 8192) is a bad image naming the file and the limit.
    @Test func aSideOver8192IsABadImageInTraining() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let source = SourcesFixtures.solidImageSource(count: 4, in: folder)
        try Data(ImageEncoder.png(Image(width: 9000, height: 1, channels: 3))).write(to: folder.appendingPathComponent("img2.jpg"))
        let loader = try BatchLoader(source: source, augmenter: plain,
                                     config: LoaderConfig(batchSize: 2, threads: 1, shuffle: false, skipBadImages: false))
        #expect { _ = try epoch(loader, 0) } throws: {
            "\($0)".contains("img2.jpg") && "\($0)".contains("9000x1, its width 9000 is over the limit of 8192 pixels per side")
        }
    }

    @Test func readsARecordFileWithItsIndex() throws {
        let rec = SourcesFixtures.resources.appendingPathComponent("recordio/images.rec")
        // The fixture is part of the repository: a missing file fails the test, not skips it.
        try #require(FileManager.default.fileExists(atPath: rec.path), "\(rec.path) is missing")
        let source = try RecordFileSource(url: rec, labels: LabelSpec(numClasses: 3))
        #expect(source.count == 14)
        let loader = try BatchLoader(source: source, augmenter: Augmenter(imageShape: [3, 16, 16], resize: 20, params: .training(.crop)),
                                     config: LoaderConfig(batchSize: 4, threads: 2, seed: 3, warn: { _ in }))
        let batches = try epoch(loader, 0)
        #expect(batches.count == 4)
        #expect(batches.reduce(0) { $0 + $1.count } == 14)
    }

    @Test func pipeModeStreamReadsEveryRecordInOrder() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let url = folder.appendingPathComponent("train_0")
        let writer = try RecordIOWriter(url: url)
        for i in 0..<7 {
            let png = try ImageEncoder.jpeg(SourcesFixtures.solid(UInt8(i)), quality: 100)
            try writer.write(ImageRecordHeader(label: Float(i % 2), id: UInt64(i)).pack(image: png))
        }
        try writer.close()
        // Every epoch reads train_0 again: copy it to train_1 for the second epoch.
        try FileManager.default.copyItem(at: url, to: folder.appendingPathComponent("train_1"))
        let loader = try BatchLoader(stream: { epoch in
            try PipeRecordStream.open(dataDirectory: folder, channel: "train", epoch: epoch,
                                      layout: .imageRecords, labels: LabelSpec(numClasses: 2))
        }, augmenter: plain, config: LoaderConfig(batchSize: 3, threads: 2))
        for e in 0..<2 {
            let batches = try epoch(loader, e)
            #expect(batches.map(\.count) == [3, 3, 1])
            #expect(batches.flatMap { b in (0..<b.count).map { value(b, $0) } } == Array(0..<7))
            #expect(batches[2].labels[0] == 0)
        }
    }

    @Test func manifestPipeModeHasAnImageThenALabelRecord() throws {
        let folder = SourcesFixtures.temporaryFolder()
        let url = folder.appendingPathComponent("train_0")
        let writer = try RecordIOWriter(url: url)
        for i in 0..<3 {
            try writer.write(try ImageEncoder.jpeg(SourcesFixtures.solid(UInt8(10 + i)), quality: 100))
            try writer.write(Array("[\(i % 2), 1, 0]".utf8))
        }
        try writer.close()
        var stream = PipeRecordStream(fileHandle: try FileHandle(forReadingFrom: url), source: "train_0",
                                      layout: .manifest(ManifestOptions(attributeNames: ["source-ref", "class"],
                                                                        labels: LabelSpec(numClasses: 3, multiLabel: true))),
                                      labels: LabelSpec(numClasses: 3, multiLabel: true))
        var labels: [[Float]] = []
        while let s = try stream.next() { labels.append(s.labels) }
        #expect(labels == [[0, 1, 0], [1, 1, 0], [0, 1, 0]])
    }
}
