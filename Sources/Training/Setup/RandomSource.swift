import Foundation
import Support

/// A small seeded generator (SplitMix64) for reproducible initialisation: the same seed
/// gives the same weights on every machine and thread count.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(state: seed &+ SplitMix64.increment) }

    public mutating func next() -> UInt64 { generator.next() }

    /// A standard normal sample (Box-Muller).
    public mutating func normal() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
