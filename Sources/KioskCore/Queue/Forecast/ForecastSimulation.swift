import Foundation

/// The forward simulation behind `ForecastWaitEstimator`: the day's line as it stands, played
/// forward many times with the real call rule (`CallOrder.choose`), each counter calling when it
/// comes free, each visit lasting a time drawn from the learned history. The spread of the call
/// times over the runs is the forecast's distribution. No arrivals are simulated: a later ticket
/// never goes ahead of an earlier one of the same kind, and later priority tickets are rare.
struct ForecastSimulation {
    /// One waiting ticket, in call order (issue time, then label).
    struct Waiting {
        var service: Int
        var priority: Bool
    }

    /// A counter that can call: when it first becomes free, and what it serves.
    struct SimCounter {
        /// Bit `s` set: serves service index `s`.
        var serves: UInt32
        /// Remaining seconds of the visit now at the counter, conditioned on how long it has
        /// lasted (draws); empty: no visit. `visitFallback`: mean remaining seconds when the
        /// visit has outlasted every recorded one.
        var visitRemaining: [Double] = []
        var inVisit = false
        var visitFallback: Double = 60
        /// A paused counter: remaining pause draws (conditioned like the visit), fallback mean.
        var paused = false
        var pauseRemaining: [Double] = []
        var pauseFallback: Double = 300
        /// Seconds since the counter let its last ticket go (reaction already spent).
        var sinceRelease: Double = 0
    }

    /// Occupancy draws per service and local hour (`table[service][hour]`), and each service's
    /// configured typical seconds for when there is too little history.
    struct ServiceTimes {
        var table: [[[Double]]]
        var typical: [Double]
        /// Fewer observations than this: the configured typical time, with a usual spread.
        static let enough = 5
    }

    var line: [Waiting]
    var counters: [SimCounter]
    var times: ServiceTimes
    var reaction: [Double]
    var normalCallsSincePriority: Int
    var normalCallsPerPriority: Int
    /// Seconds since 1970 of `now`, and the site's UTC offset, for the hour of each call.
    var start: Double
    var utcOffset: Int

    /// Runs the line forward `runs` times. `targets`: indexes into `line` to time; stops a run
    /// once all are called. Returns per target the seconds from now to its call in each run
    /// (`.infinity` when no counter would ever call it).
    func run(runs: Int, targets: [Int], seed: UInt64) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        var result = Array(repeating: [Double](), count: targets.count)
        for i in result.indices { result[i].reserveCapacity(runs) }
        let targetSlot = Dictionary(targets.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let lastTarget = targets.max() ?? -1
        var called = [Bool](repeating: false, count: line.count)
        var free = [Double](repeating: 0, count: counters.count)
        var active = [Bool](repeating: true, count: counters.count)
        var callTime = [Double](repeating: .infinity, count: targets.count)
        for _ in 0..<runs {
            for i in called.indices { called[i] = false }
            for i in callTime.indices { callTime[i] = .infinity }
            for (i, c) in counters.enumerated() { free[i] = firstFree(c, &rng); active[i] = true }
            var since = normalCallsSincePriority
            var remaining = targets.count
            var firstOpen = 0
            while remaining > 0 {
                // The counter that comes free first calls (lowest index on a tie).
                var k = -1
                for i in counters.indices where active[i] && (k < 0 || free[i] < free[k]) { k = i }
                if k < 0 { break }
                while firstOpen < line.count && called[firstOpen] { firstOpen += 1 }
                if firstOpen > lastTarget { break }
                var oldestPriority: Int?, oldestNormal: Int?
                var i = firstOpen
                while i < line.count && (oldestPriority == nil || oldestNormal == nil) {
                    if !called[i] && counters[k].serves & (1 << UInt32(line[i].service)) != 0 {
                        if line[i].priority { if oldestPriority == nil { oldestPriority = i } } else if oldestNormal == nil { oldestNormal = i }
                    }
                    i += 1
                }
                guard let pick = CallOrder.choose(oldestPriority: oldestPriority, oldestNormal: oldestNormal,
                                                  normalCallsSincePriority: since, normalCallsPerPriority: normalCallsPerPriority) else {
                    active[k] = false
                    continue
                }
                called[pick] = true
                since = CallOrder.normalCalls(after: line[pick].priority, since: since)
                if let slot = targetSlot[pick] { callTime[slot] = free[k]; remaining -= 1 }
                free[k] += occupancy(line[pick].service, at: free[k], &rng) + draw(reaction, fallback: 20, &rng)
            }
            for i in callTime.indices { result[i].append(callTime[i]) }
        }
        return result
    }

    /// Seconds from now until a counter first calls: the visit in progress and the pause finish,
    /// then the staff react (less the time the counter has already been free).
    private func firstFree(_ c: SimCounter, _ rng: inout SplitMix64) -> Double {
        var busy = 0.0
        if c.inVisit { busy = c.visitRemaining.isEmpty ? exponential(c.visitFallback, &rng) : c.visitRemaining[index(c.visitRemaining.count, &rng)] }
        if c.paused {
            let pause = c.pauseRemaining.isEmpty ? exponential(c.pauseFallback, &rng) : c.pauseRemaining[index(c.pauseRemaining.count, &rng)]
            busy = max(busy, pause)
        }
        let react = draw(reaction, fallback: 20, &rng)
        return c.inVisit || c.paused ? busy + react : max(0, react - c.sinceRelease)
    }

    /// A visit's occupancy for `service` starting `offset` seconds from now.
    private func occupancy(_ service: Int, at offset: Double, _ rng: inout SplitMix64) -> Double {
        let list = times.table[service][ForecastHistory.hour(start + offset, offset: utcOffset)]
        if list.count >= ServiceTimes.enough { return list[index(list.count, &rng)] }
        // The configured typical time, spread like real service times (lognormal, σ 0.5).
        return times.typical[service] * Foundation.exp(0.5 * normal(&rng) - 0.125)
    }

    private func draw(_ list: [Double], fallback: Double, _ rng: inout SplitMix64) -> Double {
        list.count >= ServiceTimes.enough ? list[index(list.count, &rng)] : fallback
    }

    private func index(_ count: Int, _ rng: inout SplitMix64) -> Int { Int(rng.next() % UInt64(count)) }

    private func exponential(_ mean: Double, _ rng: inout SplitMix64) -> Double { -mean * Foundation.log(1 - rng.unit()) }

    private func normal(_ rng: inout SplitMix64) -> Double {
        let u = max(rng.unit(), 1e-12), v = rng.unit()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * .pi * v)
    }
}
