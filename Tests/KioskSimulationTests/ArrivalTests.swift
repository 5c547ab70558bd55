import Foundation
import KioskCore
import Testing
@testable import KioskSimulation

/// The thinned Poisson process gives the rate the scenario asks for, hour by hour.
struct ArrivalTests {
    let profile = RateProfile(points: [(8 * 3600 + 1800, 8), (10 * 3600, 18), (12 * 3600, 6), (14 * 3600 + 1800, 18), (17 * 3600, 6)])

    @Test func theIntegralOfTheRateIsExactForStraightLines() {
        // 08:30–10:00 rising 8 → 18: mean 13 per hour over 1.5 h.
        #expect(abs(profile.expected(from: 8 * 3600 + 1800, to: 10 * 3600) - 19.5) < 1e-9)
        #expect(profile.perHour(at: 9 * 3600 + 900) == 13)
        #expect(profile.perHour(at: 0) == 8)
    }

    @Test func aLongSeededRunCountsNearTheIntegral() {
        var random = SplitMix64(seed: 42)
        let start = 8 * 3600 + 1800, end = 17 * 3600
        let days = 400
        var total = 0
        var morningPeak = 0
        for _ in 0..<days {
            let times = ArrivalProcess.times(profile, from: start, to: end, random: &random)
            #expect(times == times.sorted())
            #expect(times.allSatisfy { $0 >= Double(start) && $0 < Double(end) })
            total += times.count
            morningPeak += times.filter { $0 >= 9.5 * 3600 && $0 < 10.5 * 3600 }.count
        }
        let expected = profile.expected(from: start, to: end) * Double(days)
        // Poisson: standard deviation √expected (≈ 69 here); allow four of them.
        #expect(abs(Double(total) - expected) < 4 * expected.squareRoot())
        let expectedPeak = profile.expected(from: 9 * 3600 + 1800, to: 10 * 3600 + 1800) * Double(days)
        #expect(abs(Double(morningPeak) - expectedPeak) < 4 * expectedPeak.squareRoot())
    }
}
