#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Whole-second durations and how often each occurred: the exact, mergeable form of a set of
/// waits or service times. Its `stats` equal `DurationStats` of the values (nearest-rank p90,
/// mean of whole numbers summed exactly), whatever order days and kiosks are merged in.
///
/// Reports take event times to the whole second (`ReportSeconds`), the resolution events are
/// synced to the centre with, so a duration is always a whole number of seconds.
public struct SecondsHistogram: Equatable, Sendable {
    /// Seconds → occurrences.
    public private(set) var counts: [Int: Int] = [:]
    public private(set) var count = 0
    /// Σ seconds.
    public private(set) var sum = 0

    public init() {}

    init(counts: [Int: Int], count: Int, sum: Int) {
        self.counts = counts; self.count = count; self.sum = sum
    }

    public mutating func add(_ seconds: Int, times: Int = 1) {
        counts[seconds, default: 0] += times
        count += times
        sum += seconds * times
    }

    public mutating func merge(_ other: SecondsHistogram) {
        counts.merge(other.counts, uniquingKeysWith: +)
        count += other.count
        sum += other.sum
    }

    /// How many durations are at most `limit` seconds.
    public func count(atMost limit: Int) -> Int {
        counts.reduce(0) { $1.key <= limit ? $0 + $1.value : $0 }
    }

    public var mean: Double? { count == 0 ? nil : Double(sum) / Double(count) }

    /// `ReportMath.percentile` of the values: the value at rank ⌈p/100 · n⌉.
    public func percentile(_ p: Int) -> Double? {
        guard count > 0 else { return nil }
        let rank = min(max((p * count + 99) / 100, 1), count)
        var seen = 0
        for (seconds, c) in counts.sorted(by: { $0.key < $1.key }) {
            seen += c
            if seen >= rank { return Double(seconds) }
        }
        return nil
    }

    public var stats: DurationStats { DurationStats(count: count, average: mean, p90: percentile(90)) }
}

extension SecondsHistogram: Codable {
    /// Stored as one flat array, ascending: [seconds, count, seconds, count, …] (compact: a
    /// busy kiosk-day has a few hundred distinct waits).
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        while !c.isAtEnd {
            let seconds = try c.decode(Int.self)
            add(seconds, times: try c.decode(Int.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        for (seconds, n) in counts.sorted(by: { $0.key < $1.key }) {
            try c.encode(seconds)
            try c.encode(n)
        }
    }
}

/// A count and a sum of whole seconds: what a mean needs.
public struct SecondsSum: Equatable, Sendable {
    public var count = 0
    public var sum = 0
    public init() {}
    public mutating func add(_ seconds: Int) { count += 1; sum += seconds }
    public mutating func merge(_ other: SecondsSum) { count += other.count; sum += other.sum }
    public var mean: Double? { count == 0 ? nil : Double(sum) / Double(count) }
}

extension SecondsSum: Codable {
    /// Stored as [count, sum].
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        count = try c.decode(Int.self)
        sum = try c.decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(count)
        try c.encode(sum)
    }
}

/// Event times as reports take them: whole seconds since 1970, rounded down (the resolution of
/// the synced event JSON, so a kiosk whose clock gives fractions reports what the centre does).
public enum ReportSeconds {
    public static func of(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.down)) }
    public static func between(_ start: Date, _ end: Date) -> Int { of(end) - of(start) }
}

/// Running totals for one service or for all services: counts, sums and exact distributions,
/// merged by adding (`merge`). `withinTarget` is not kept in a day's fold: it depends on the
/// configuration's targets, so `ReportFold` counts it from `waits` when it adds the day.
struct ReportTally: Codable, Equatable, Sendable {
    var issued = 0
    var priority = 0
    var called = 0
    var served = 0
    var noShows = 0
    var walkOuts = 0
    var transfers = 0
    var waits = SecondsHistogram()
    var withinTarget = 0
    var promiseAsked = 0
    var promiseKept = 0
    var estimates = EstimateAccuracy.Tally()
    var serviceTimes = SecondsHistogram()
    /// Σ scores (100 / 67 / 33 / 0) and the number of ratings.
    var scoreSum = 0
    var ratings = 0
    var topTwo = 0
    var misuse = 0
    var notRated = 0
    var reasons: [String: Int] = [:]

    mutating func merge(_ o: ReportTally) {
        issued += o.issued; priority += o.priority; called += o.called; served += o.served; noShows += o.noShows
        walkOuts += o.walkOuts; transfers += o.transfers; waits.merge(o.waits); withinTarget += o.withinTarget
        promiseAsked += o.promiseAsked; promiseKept += o.promiseKept; estimates.merge(o.estimates)
        serviceTimes.merge(o.serviceTimes); scoreSum += o.scoreSum; ratings += o.ratings; topTwo += o.topTwo
        misuse += o.misuse; notRated += o.notRated; reasons.merge(o.reasons, uniquingKeysWith: +)
    }

    var satisfactionIndex: Double? { ratings == 0 ? nil : Double(scoreSum) / Double(ratings) }

    func serviceReport(id: String, name: String) -> ServiceReport {
        ServiceReport(
            id: id, name: name, issued: issued, priority: priority, called: called, served: served,
            noShows: noShows, walkOuts: walkOuts, transfers: transfers,
            wait: waits.stats, serviceTime: serviceTimes.stats,
            withinTarget: ReportMath.ratio(withinTarget, waits.count),
            promiseKept: ReportMath.ratio(promiseKept, promiseAsked), estimates: estimates.figures,
            noShowRate: ReportMath.ratio(noShows, called),
            ratings: ratings, satisfactionIndex: satisfactionIndex,
            csat: ReportMath.ratio(topTwo, ratings), responseRate: ReportMath.ratio(ratings, served),
            misuse: misuse, notRated: notRated, reasons: reasons)
    }
}

/// Running totals for one staff member: only means are shown, so sums suffice.
struct StaffTally: Codable, Equatable, Sendable {
    var served = 0
    var serviceTimes = SecondsSum()
    var scoreSum = 0
    var ratings = 0
    var topTwo = 0

    mutating func merge(_ o: StaffTally) {
        served += o.served; serviceTimes.merge(o.serviceTimes); scoreSum += o.scoreSum; ratings += o.ratings; topTwo += o.topTwo
    }

    func staffReport(number: String, name: String?) -> StaffReport {
        StaffReport(
            number: number, name: name, served: served, averageServiceSeconds: serviceTimes.mean,
            ratings: ratings, satisfactionIndex: ratings == 0 ? nil : Double(scoreSum) / Double(ratings),
            csat: ReportMath.ratio(topTwo, ratings), responseRate: ReportMath.ratio(ratings, served))
    }
}
