import Foundation
import Testing
import Data

/// The input-pipeline benchmark on a real `.rec`, run only when IMGCLF_BENCH_REC names one:
/// `IMGCLF_BENCH_REC=/tmp/photos/photos.rec swift test -c release --filter LoaderBenchmark`.
/// Without the variable it is reported as skipped, not as a pass.
@Suite struct LoaderBenchmarkTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["IMGCLF_BENCH_REC"] != nil, "IMGCLF_BENCH_REC names no .rec"))
    func inputPipelineImagesPerSecond() throws {
        let path = try #require(ProcessInfo.processInfo.environment["IMGCLF_BENCH_REC"])
        let threads = Int(ProcessInfo.processInfo.environment["IMGCLF_BENCH_THREADS"] ?? "2") ?? 2
        for type in AugmentationType.allCases {
            let rate = try InputPipelineBenchmark.run(data: URL(fileURLWithPath: path), imageShape: [3, 224, 224],
                                                      resize: 256, augmentation: type, batchSize: 32, threads: threads)
            print("{\"augmentation_type\": \"\(type.rawValue)\", \"threads\": \(threads), \"img_s\": \((rate * 10).rounded() / 10)}")
            #expect(rate > 0)
        }
    }
}
