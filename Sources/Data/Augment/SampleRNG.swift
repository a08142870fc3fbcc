/// A small, fast random generator (SplitMix64) derived from (seed, epoch, sample position),
/// so a sample's augmentation depends on neither the thread that makes it nor the order.
public struct SampleRNG: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// The generator for one sample of one epoch.
    public init(seed: UInt64, epoch: Int, index: Int) {
        var s = SampleRNG.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        s = SampleRNG.mix(s ^ UInt64(truncatingIfNeeded: epoch) &* 0xD1B5_4A32_D192_ED03)
        s = SampleRNG.mix(s ^ UInt64(truncatingIfNeeded: index) &* 0x94D0_49BB_1331_11EB)
        state = s
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SampleRNG.mix(state)
    }

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
