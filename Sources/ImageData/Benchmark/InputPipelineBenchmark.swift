import Foundation

/// Measures the input pipeline alone (read, decode, augment, batch) in images per second,
/// for `imgclf benchmark` and for comparison with MXNet's ImageRecordIter.
public enum InputPipelineBenchmark {
    /// What a run measured.
    public struct Measurement: Sendable {
        /// Real (non-padding) images delivered in batches.
        public var images: Int
        public var seconds: Double
        public var imagesPerSecond: Double { Double(images) / max(seconds, 1e-9) }
    }

    /// Reads `data` (a `.rec` file, or a channel folder in any layout `Dataset.open` reads)
    /// through a `BatchLoader` and returns the real (non-padding) images it delivered and the time taken.
    /// - Parameters:
    ///   - augmentation: the `augmentation_type`; nil measures the validation path.
    ///   - seconds: stop after this long (whole epochs are repeated until then), or
    ///   - batches: stop after this many batches; with neither, one epoch.
    public static func run(data: URL, imageShape: [Int], resize: Int?, augmentation: AugmentationType?,
                           batchSize: Int = 32, threads: Int = 2, seconds: Double? = nil,
                           batches: Int? = nil) throws -> Measurement {
        let source: any SampleSource
        if data.pathExtension.lowercased() == "rec" {
            source = try RecordFileSource(url: data, labels: LabelSpec(numClasses: nil))
        } else {
            source = try Dataset.open(data, options: .init(channel: "benchmark", labels: LabelSpec(numClasses: nil)))
        }
        let augmenter = Augmenter(imageShape: imageShape, resize: resize, params: .training(augmentation))
        let loader = try BatchLoader(source: source, augmenter: augmenter, config: LoaderConfig(
            batchSize: batchSize, threads: threads, seed: 1, shuffle: false, skipBadImages: true))
        var images = 0, seen = 0, epoch = 0
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        outer: while true {
            try loader.startEpoch(epoch)
            while let batch = try loader.next() {
                images += batch.count
                seen += 1
                if let batches, seen >= batches { break outer }
                if let seconds, elapsed() >= seconds { break outer }
            }
            epoch += 1
            if seconds == nil && batches == nil { break }
            if let seconds, elapsed() >= seconds { break }
        }
        return Measurement(images: images, seconds: elapsed())
    }
}
