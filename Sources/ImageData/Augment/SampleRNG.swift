import Support

/// A small, fast random generator (SplitMix64) derived from (seed, epoch, sample position),
/// so a sample's augmentation depends on neither the thread that makes it nor the order.
public struct SampleRNG: Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(state: seed) }

    /// The generator for one sample of one epoch.
    public init(seed: UInt64, epoch: Int, index: Int) {
        var s = SplitMix64.mix(seed &+ SplitMix64.increment)
        s = SplitMix64.mix(s ^ UInt64(truncatingIfNeeded: epoch) &* 0xD1B5_4A32_D192_ED03)
        s = SplitMix64.mix(s ^ UInt64(truncatingIfNeeded: index) &* 0x94D0_49BB_1331_11EB)
        generator = SplitMix64(state: s)
    }

    public mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in `range` (both ends included).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % span)
    }
}
