/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast generator whose output is a
/// fixed function of its seed, so runs are reproducible on every machine and thread count.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// The golden-ratio increment the state advances by.
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= SplitMix64.increment
        return SplitMix64.mix(state)
    }

    /// The output function: a bijective mix of 64 bits.
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
