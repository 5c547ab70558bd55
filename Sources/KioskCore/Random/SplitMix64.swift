/// SplitMix64: a small, fast, deterministic generator. The same seed gives the same sequence on
/// every machine, which is what the forecasting estimator (its estimates must be repeatable),
/// the simulator (a scenario seed is a day) and the randomised tests (a failure is repeated from
/// its seed) need. Not for secrets.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A stable 64-bit hash of text (FNV-1a), for seeding from names: Swift's `Hasher` is seeded
    /// differently in every process.
    public static func hash(_ text: String, into seed: UInt64 = 0xCBF2_9CE4_8422_2325) -> UInt64 {
        var h = seed
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
