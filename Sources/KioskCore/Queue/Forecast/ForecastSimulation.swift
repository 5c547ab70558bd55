#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The forward simulation behind `ForecastWaitEstimator`: the day's line as it stands, played
/// forward many times with the real call rule (`CallOrder.choose`), each counter calling when it
/// comes free, each visit lasting a time drawn from the learned history. The spread of the call
/// times over the runs is the forecast's distribution. Of later arrivals only priority tickets
/// are simulated (at the learned rate per service and hour): only they can go ahead of a ticket
/// already waiting. A counter's daily break (lunch) is expected at the times it began on
/// earlier days, and ends at the times it ended where those agree better than its lengths (a
/// rota); a counter not staffed yet first calls when its staff came on earlier days.
struct ForecastSimulation {
    /// One waiting ticket, in call order (issue time, then label).
    struct Waiting {
        var service: Int
        var priority: Bool
        /// Seconds from now at which its promise falls due (`Ticket.promiseDeadline`); infinity:
        /// no promise at stake (called before, or the ticket being estimated).
        var deadline: Double = .infinity
    }

    /// A counter that can call: when it first becomes free, and what it serves.
    struct SimCounter {
        /// Bit `s` set: serves service index `s`.
        var serves: UInt32
        /// The visit now at the counter (`inVisit`) and its remaining seconds, conditioned on how
        /// long it has lasted: in service, drawn from `visitFit` given `visitElapsed`; called and
        /// not started, draws from the recorded occupancies that lasted longer
        /// (`visitRemaining`); with neither, an exponential of mean `visitFallback`.
        var visitRemaining: [Double] = []
        var inVisit = false
        var visitFallback: Double = 60
        var visitFit: LogNormalFit?
        var visitElapsed: Double = 0
        /// A paused counter: remaining pause draws (conditioned like the visit), fallback mean.
        var paused = false
        var pauseRemaining: [Double] = []
        var pauseFallback: Double = 300
        /// Seconds since the counter let its last ticket go (reaction already spent).
        var sinceRelease: Double = 0
        /// The chance the counter still takes its daily break today and, if it does, when it may
        /// start (seconds from now: the later of earlier days' start times).
        var breakChance: Double = 0
        var breakOffsets: [Double] = []
        /// Where breaks end at a time of day (`ForecastHistory.breakEndOutlook`): those ends,
        /// seconds from now; a break begun late is shorter, one due after them is not taken.
        /// Empty: a break lasts a length drawn from `pauseLengths`.
        var breakEndOffsets: [Double] = []
        /// A counter not staffed yet: the times (seconds from now) its staff came on earlier
        /// days that they came later than now; it first calls at one of them. Empty: staffed.
        var opensAfter: [Double] = []
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
    /// Learned break lengths (seconds) and priority arrivals per second, `[service][hour]`.
    var pauseLengths: [Double] = []
    var priorityRates: [[Double]] = []
    /// How far ahead arrivals and breaks are drawn.
    static let horizon = 4 * 3_600.0
    var normalCallsSincePriority: Int
    var normalCallsPerPriority: Int
    /// `keep-promises`: the margin (seconds) of `CallOrder.promiseDue`; nil when not kept.
    var promiseMargin: Double?
    /// Seconds since 1970 of `now`, and the site's UTC offset, for the hour of each call.
    var start: Double
    var utcOffset: Int

    /// Runs the line forward `runs` times. `targets`: indexes into `line` to time; stops a run
    /// once all are called, or at `until` seconds from now (a target not called by then is
    /// timed `until + 1`: later than that is all the caller needs to know). Returns per target
    /// the seconds from now to its call in each run (`.infinity` when no counter would call it).
    func run(runs: Int, targets: [Int], seed: UInt64, until: Double = .infinity) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        var result = Array(repeating: [Double](), count: targets.count)
        for i in result.indices { result[i].reserveCapacity(runs) }
        let targetSlot = Dictionary(targets.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let lastTarget = targets.max() ?? -1
        var called = [Bool](repeating: false, count: line.count)
        var free = [Double](repeating: 0, count: counters.count)
        var active = [Bool](repeating: true, count: counters.count)
        var callTime = [Double](repeating: .infinity, count: targets.count)
        var pauseAt = [Double](repeating: .infinity, count: counters.count)
        var arrivals: [(time: Double, service: Int, called: Bool)] = []
        for _ in 0..<runs {
            for i in called.indices { called[i] = false }
            for i in callTime.indices { callTime[i] = .infinity }
            for (i, c) in counters.enumerated() {
                free[i] = firstFree(c, &rng); active[i] = true
                pauseAt[i] = breakStart(c, &rng)
            }
            drawArrivals(into: &arrivals, &rng)
            var since = normalCallsSincePriority
            var remaining = targets.count
            var firstOpen = 0
            while remaining > 0 {
                // The counter that comes free first calls (lowest index on a tie).
                var k = -1
                for i in counters.indices where active[i] && (k < 0 || free[i] < free[k]) { k = i }
                if k < 0 { break }
                if free[k] > until {
                    for i in callTime.indices where callTime[i] == .infinity { callTime[i] = until + 1 }
                    break
                }
                if pauseAt[k] <= free[k] {
                    // A break due while the counter was busy starts when its visit ends.
                    let ends = counters[k].breakEndOffsets
                    if !ends.isEmpty {
                        let end = ends[index(ends.count, &rng)]
                        if end > free[k] { free[k] = end + draw(reaction, fallback: 20, &rng) }
                    } else {
                        free[k] += pauseLengths.isEmpty ? 1_800 : pauseLengths[index(pauseLengths.count, &rng)]
                    }
                    pauseAt[k] = .infinity
                    continue
                }
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
                // Priority tickets that arrived meanwhile come after every one already waiting.
                var arrived: Int?
                if oldestPriority == nil {
                    arrived = arrivals.firstIndex { !$0.called && $0.time <= free[k] && counters[k].serves & (1 << UInt32($0.service)) != 0 }
                    if arrived != nil { oldestPriority = -1 }
                }
                let pick = CallOrder.choose(oldestPriority: oldestPriority, oldestNormal: oldestNormal,
                                            normalCallsSincePriority: since, normalCallsPerPriority: normalCallsPerPriority) { () -> Int? in
                    // A normal ticket issued before the priority one (an arrival: after all in line)
                    // whose promise is due at this call.
                    guard let margin = promiseMargin else { return nil }
                    // (An arrival's own promise is not known here: none.)
                    let end = oldestPriority.map { $0 < 0 ? line.count : $0 } ?? line.count
                    let own = end < line.count ? line[end].deadline : .infinity
                    var j = firstOpen
                    while j < end {
                        if !called[j] && !line[j].priority && counters[k].serves & (1 << UInt32(line[j].service)) != 0
                            && CallOrder.promiseDue(deadline: line[j].deadline, before: own, at: free[k], margin: margin) { return j }
                        j += 1
                    }
                    return nil
                }
                guard let pick else {
                    active[k] = false
                    continue
                }
                if pick < 0, let a = arrived {
                    arrivals[a].called = true
                    since = CallOrder.normalCalls(after: true, since: since)
                    free[k] += occupancy(arrivals[a].service, at: free[k], &rng) + draw(reaction, fallback: 20, &rng)
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
        if c.inVisit, let fit = c.visitFit {
            busy = fit.residual(after: c.visitElapsed, &rng)
        } else if c.inVisit {
            busy = c.visitRemaining.isEmpty ? exponential(c.visitFallback, &rng) : c.visitRemaining[index(c.visitRemaining.count, &rng)]
        }
        if c.paused {
            let pause = c.pauseRemaining.isEmpty ? exponential(c.pauseFallback, &rng) : c.pauseRemaining[index(c.pauseRemaining.count, &rng)]
            busy = max(busy, pause)
        }
        let react = draw(reaction, fallback: 20, &rng)
        if !c.opensAfter.isEmpty { return c.opensAfter[index(c.opensAfter.count, &rng)] + react }
        return c.inVisit || c.paused ? busy + react : max(0, react - c.sinceRelease)
    }

    /// When the counter's usual break starts in this run (seconds from now), or never.
    private func breakStart(_ c: SimCounter, _ rng: inout SplitMix64) -> Double {
        guard !c.paused, !c.breakOffsets.isEmpty, rng.unit() < c.breakChance else { return .infinity }
        return c.breakOffsets[index(c.breakOffsets.count, &rng)]
    }

    /// Priority tickets arriving within the horizon, by time.
    private func drawArrivals(into arrivals: inout [(time: Double, service: Int, called: Bool)], _ rng: inout SplitMix64) {
        arrivals.removeAll(keepingCapacity: true)
        for (s, rates) in priorityRates.enumerated() where rates.contains(where: { $0 > 0 }) {
            var t = 0.0
            while t < Self.horizon {
                let rate = rates[ForecastHistory.hour(start + t, offset: utcOffset)]
                let next = ((start + t) / 3_600).rounded(.down) * 3_600 + 3_600 - start
                let gap = rate > 0 ? exponential(1 / rate, &rng) : .infinity
                if t + gap < next { t += gap; arrivals.append((t, s, false)) } else { t = next }
            }
        }
        arrivals.sort { $0.time < $1.time }
    }

    /// A visit's occupancy for `service` starting `offset` seconds from now.
    private func occupancy(_ service: Int, at offset: Double, _ rng: inout SplitMix64) -> Double {
        let list = times.table[service][ForecastHistory.hour(start + offset, offset: utcOffset)]
        if list.count >= ServiceTimes.enough { return list[index(list.count, &rng)] }
        // The configured typical time, spread like real service times (lognormal, σ 0.5).
        return times.typical[service] * Glibc.exp(0.5 * normal(&rng) - 0.125)
    }

    private func draw(_ list: [Double], fallback: Double, _ rng: inout SplitMix64) -> Double {
        list.count >= ServiceTimes.enough ? list[index(list.count, &rng)] : fallback
    }

    private func index(_ count: Int, _ rng: inout SplitMix64) -> Int { Int(rng.next() % UInt64(count)) }

    private func exponential(_ mean: Double, _ rng: inout SplitMix64) -> Double { -mean * Glibc.log(1 - rng.unit()) }

    private func normal(_ rng: inout SplitMix64) -> Double {
        let u = max(rng.unit(), 1e-12), v = rng.unit()
        return (-2 * Glibc.log(u)).squareRoot() * Glibc.cos(2 * .pi * v)
    }
}
