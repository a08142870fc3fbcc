import Foundation

/// How a `BatchLoader` reads, shards and shuffles.
public struct LoaderConfig: Sendable {
    /// Images per batch (on this worker).
    public var batchSize: Int
    /// Decoding and augmenting threads.
    public var threads: Int
    /// Batches decoded ahead of the one being consumed.
    public var prefetch: Int
    /// Seed of the shuffle and of every sample's augmentation.
    public var seed: UInt64
    /// A new random order every epoch (else source order).
    public var shuffle: Bool
    /// This worker's rank and the number of workers: each takes its own part of the data.
    public var rank: Int
    public var workers: Int
    /// Floats of label per sample: 1, or num_classes for multi-label.
    public var labelWidth: Int
    /// Skip an undecodable image with a warning (training) instead of failing.
    public var skipBadImages: Bool
    /// Decoding refuses images over this many pixels.
    public var maxPixels: Int
    /// Where warnings go (called from worker threads). Default: standard error.
    public var warn: @Sendable (String) -> Void

    public init(batchSize: Int, threads: Int = 2, prefetch: Int = 2, seed: UInt64 = 0, shuffle: Bool = true,
                rank: Int = 0, workers: Int = 1, labelWidth: Int = 1, skipBadImages: Bool = true,
                maxPixels: Int = 100_000_000, warn: @escaping @Sendable (String) -> Void = LoaderConfig.standardError) {
        self.batchSize = batchSize
        self.threads = threads
        self.prefetch = prefetch
        self.seed = seed
        self.shuffle = shuffle
        self.rank = rank
        self.workers = workers
        self.labelWidth = labelWidth
        self.skipBadImages = skipBadImages
        self.maxPixels = maxPixels
        self.warn = warn
    }

    public static let standardError: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data(("warning: " + message + "\n").utf8))
    }
}
