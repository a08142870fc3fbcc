/// Python's `random` module, as far as im2rec uses it: `random.seed(int)` and `random.shuffle(list)`.
///
/// MT19937 seeded with `init_by_array` on the 32-bit words of the seed (CPython's `random_seed`), and
/// `shuffle` as CPython's Fisher-Yates with `_randbelow` by rejection on `getrandbits(n.bit_length())`.
/// This reproduces im2rec.py's list order (`random.seed(100)`) exactly.
public struct PythonRandom {
    private var mt = [UInt32](repeating: 0, count: 624)
    private var index = 625

    /// As `random.seed(seed)` for an integer seed.
    public init(seed: UInt64) {
        var key: [UInt32] = []
        var n = seed
        repeat { key.append(UInt32(truncatingIfNeeded: n)); n >>= 32 } while n > 0
        initByArray(key)
    }

    private mutating func initGenrand(_ s: UInt32) {
        mt[0] = s
        for i in 1..<624 {
            mt[i] = 1812433253 &* (mt[i - 1] ^ (mt[i - 1] >> 30)) &+ UInt32(i)
        }
        index = 624
    }

    private mutating func initByArray(_ key: [UInt32]) {
        initGenrand(19650218)
        var i = 1, j = 0
        for _ in 0..<max(624, key.count) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1664525)) &+ key[j] &+ UInt32(j)
            i += 1; j += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
            if j >= key.count { j = 0 }
        }
        for _ in 0..<623 {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) &* 1566083941)) &- UInt32(i)
            i += 1
            if i >= 624 { mt[0] = mt[623]; i = 1 }
        }
        mt[0] = 0x8000_0000
        index = 624
    }

    /// The next 32-bit output of MT19937 (`genrand_uint32`).
    public mutating func nextUInt32() -> UInt32 {
        if index >= 624 {
            for k in 0..<624 {
                let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % 624] & 0x7FFF_FFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (y & 1 == 0 ? 0 : 0x9908_B0DF)
            }
            index = 0
        }
        var y = mt[index]
        index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// `random.getrandbits(k)` for 1 <= k <= 32.
    public mutating func getrandbits(_ k: Int) -> UInt32 {
        precondition(k >= 1 && k <= 32)
        return nextUInt32() >> UInt32(32 - k)
    }

    /// `random._randbelow(n)`: uniform in 0..<n by rejection.
    public mutating func randbelow(_ n: Int) -> Int {
        precondition(n >= 1 && n <= Int(UInt32.max))
        let k = Int.bitWidth - n.leadingZeroBitCount
        var r = Int(getrandbits(k))
        while r >= n { r = Int(getrandbits(k)) }
        return r
    }

    /// `random.shuffle(x)` in place.
    public mutating func shuffle<T>(_ x: inout [T]) {
        var i = x.count - 1
        while i >= 1 {
            let j = randbelow(i + 1)
            x.swapAt(i, j)
            i -= 1
        }
    }
}
