import Foundation
import Testing
import ImageData

/// The input-pipeline benchmark: what it counts, on the im2rec-packed fixture, and its rate
/// on a real `.rec`, run only when IMGCLF_BENCH_REC names one:
/// `IMGCLF_BENCH_REC=/tmp/photos/photos.rec swift test -c release --filter LoaderBenchmark`.
/// Without the variable that one is reported as skipped, not as a pass.
@Suite struct LoaderBenchmarkTests {
    /// One epoch over the 14 images of `images.rec` delivers each image once, in a finite time.
    @Test func oneEpochCountsEveryImageOnce() throws {
        let rec = SourcesFixtures.resources.appendingPathComponent("recordio/images.rec")
        let expected = try RecordFileSource(url: rec, labels: LabelSpec(numClasses: nil)).count
        let measured = try InputPipelineBenchmark.run(data: rec, imageShape: [3, 32, 32], resize: 40, augmentation: nil,
                                                      batchSize: 4, threads: 2)
        #expect(expected == 14)
        #expect(measured.images == expected, "\(measured.images) images delivered of \(expected)")
        #expect(measured.seconds > 0 && measured.imagesPerSecond.isFinite && measured.imagesPerSecond > 0, "\(measured)")
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["IMGCLF_BENCH_REC"] != nil, "IMGCLF_BENCH_REC names no .rec"))
    func inputPipelineImagesPerSecond() throws {
        let path = try #require(ProcessInfo.processInfo.environment["IMGCLF_BENCH_REC"])
        let threads = Int(ProcessInfo.processInfo.environment["IMGCLF_BENCH_THREADS"] ?? "2") ?? 2
        let url = URL(fileURLWithPath: path)
        let records = try RecordFileSource(url: url, labels: LabelSpec(numClasses: nil)).count
        for type in AugmentationType.allCases {
            let measured = try InputPipelineBenchmark.run(data: url, imageShape: [3, 224, 224],
                                                          resize: 256, augmentation: type, batchSize: 32, threads: threads)
            let rate = measured.imagesPerSecond
            print("{\"augmentation_type\": \"\(type.rawValue)\", \"threads\": \(threads), \"img_s\": \((rate * 10).rounded() / 10)}")
            // One epoch: every record once (bad images are skipped, and counted against this).
            #expect(measured.images == records, "\(measured.images) of \(records) records delivered")
            #expect(rate.isFinite && rate > 0, "\(rate) img/s")
        }
    }
}
