import Foundation
import Testing
import ImageData

/// Batch sizes, image shapes and label widths whose buffers would overflow or be absurdly large
/// are refused before anything is allocated.
@Suite struct LoaderHardeningTests {
    func configError(imageShape: [Int], batchSize: Int, labelWidth: Int = 1, prefetch: Int = 2) -> String {
        do {
            _ = try BatchLoader(source: FileSampleSource(samples: []),
                                augmenter: Augmenter(imageShape: imageShape, resize: nil, params: .none),
                                config: LoaderConfig(batchSize: batchSize, threads: 1, prefetch: prefetch, labelWidth: labelWidth))
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func oversizedBuffersAreAConfigurationError() {
        #expect(configError(imageShape: [3, 60000, 60000], batchSize: 32).contains("exceeds 4294967296 floats per buffer"))
        #expect(configError(imageShape: [3, 1 << 40, 1 << 40], batchSize: 1).contains("exceeds"))
        #expect(configError(imageShape: [3, 8, 8], batchSize: Int.max).contains("exceeds"))
        #expect(configError(imageShape: [3, 8, 8], batchSize: 2, labelWidth: Int.max).contains("exceeds"))
        #expect(configError(imageShape: [3, 8, 8], batchSize: 2, prefetch: Int.max).contains("prefetch must be in [1, 1024]"))
        #expect(configError(imageShape: [3, 8, 8], batchSize: 2) == "")
    }
}
