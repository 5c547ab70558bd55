import Foundation

/// A simulated site and its residents: what `kiosk-sim` runs (the file format is documented in
/// `ScenarioParser` and in the shipped `Kiosk/scenarios/*.scenario`). Times of day are seconds
/// after local midnight in the kiosk's time zone; durations are seconds.
public struct Scenario: Equatable, Sendable {
    public var name: String
    /// The kiosk.conf the site runs (nil: the shipped `Kiosk/kiosk.conf`), as written in the file
    /// (relative paths are relative to the scenario file).
    public var configPath: String?
    /// The first simulated day (warm-up days come first, from this date on), YYYY-MM-DD.
    public var firstDate: String
    /// Days measured after the warm-up.
    public var days: Int
    /// Days simulated first, so estimators have history; not counted in the figures.
    public var warmUpDays: Int
    public var seeds: [UInt64]
    /// Lobby opens and closes (no arrivals after `closes`; counters serve whoever is waiting).
    public var opens: Int
    public var closes: Int
    /// Seconds of simulated time between clock ticks (care alerts, rating pads, farewells).
    public var tickSeconds: Int
    /// Arrivals per hour at times of day, linear in between, 0 outside `opens`…`closes`.
    public var arrivals: RateProfile
    /// Share of tickets taken as priority (`*`).
    public var priorityShare: Double
    /// Share of residents gone when called: staff recall after `recallAfter`, then mark the
    /// no-show `noShowAfter` later.
    public var noShowShare: Double
    public var recallAfter: Int
    public var noShowAfter: Int
    /// Seconds from the call until the resident reaches the counter (and staff press start).
    public var walkUp: Distribution
    /// Seconds staff take to act: to call the next ticket after a visit, to start after the
    /// resident arrives.
    public var reaction: Distribution
    /// Share of residents who rate on the pad, and how (levels 1…4 weighted).
    public var ratingShare: Double
    public var ratingWeights: [Double]
    public var services: [ServicePlan]
    public var counters: [CounterPlan]

    public init(name: String = "scenario", configPath: String? = nil, firstDate: String = "2026-12-07", days: Int = 1,
                warmUpDays: Int = 0, seeds: [UInt64] = [1], opens: Int = 8 * 3600 + 1800, closes: Int = 17 * 3600,
                tickSeconds: Int = 20, arrivals: RateProfile = RateProfile(points: []), priorityShare: Double = 0.1,
                noShowShare: Double = 0.05, recallAfter: Int = 60, noShowAfter: Int = 60,
                walkUp: Distribution = .uniform(low: 15, high: 45), reaction: Distribution = .lognormal(median: 8, spread: 0.5),
                ratingShare: Double = 0.6, ratingWeights: [Double] = [60, 30, 7, 3], services: [ServicePlan] = [],
                counters: [CounterPlan] = []) {
        self.name = name; self.configPath = configPath; self.firstDate = firstDate; self.days = days
        self.warmUpDays = warmUpDays; self.seeds = seeds; self.opens = opens; self.closes = closes
        self.tickSeconds = tickSeconds; self.arrivals = arrivals; self.priorityShare = priorityShare
        self.noShowShare = noShowShare; self.recallAfter = recallAfter; self.noShowAfter = noShowAfter
        self.walkUp = walkUp; self.reaction = reaction; self.ratingShare = ratingShare; self.ratingWeights = ratingWeights
        self.services = services; self.counters = counters
    }
}

/// One service as residents use it: how often it is chosen and how long a visit takes.
public struct ServicePlan: Equatable, Sendable {
    /// A `[service ID]` of the kiosk's configuration.
    public var id: String
    /// Relative weight among the services (shares need not add up to 100).
    public var share: Double
    /// Seconds from start to finish at the counter.
    public var time: Distribution
    /// Where the file said so (for errors found against the configuration).
    public var line: Int
    public init(id: String, share: Double, time: Distribution, line: Int = 0) {
        self.id = id; self.share = share; self.time = time; self.line = line
    }
}

/// One counter: the services it serves (replacing the configuration's counters), who logs in
/// when, and its breaks.
public struct CounterPlan: Equatable, Sendable {
    public var number: Int
    public var services: [String]
    /// Staff number and PIN typed at login (a staff number the configuration lacks is added
    /// with this PIN).
    public var staff: String
    public var pin: String
    /// Time of day of the login.
    public var login: Int
    /// Breaks (time of day from, to): staff finish the visit in hand, pause, and open again.
    public var pauses: [ClosedRange<Int>]
    public var line: Int
    public init(number: Int, services: [String], staff: String, pin: String = "1234", login: Int, pauses: [ClosedRange<Int>] = [],
                line: Int = 0) {
        self.number = number; self.services = services; self.staff = staff; self.pin = pin; self.login = login
        self.pauses = pauses; self.line = line
    }
}

/// Arrivals per hour through the day: straight lines between the given times; before the first
/// and after the last point the nearest point's rate.
public struct RateProfile: Equatable, Sendable {
    /// (time of day in seconds, arrivals per hour), ascending by time.
    public var points: [(time: Int, perHour: Double)]

    public init(points: [(time: Int, perHour: Double)]) { self.points = points.sorted { $0.time < $1.time } }

    public static func == (a: RateProfile, b: RateProfile) -> Bool {
        a.points.map(\.time) == b.points.map(\.time) && a.points.map(\.perHour) == b.points.map(\.perHour)
    }

    /// Arrivals per hour at `time` (seconds after midnight).
    public func perHour(at time: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 0 }
        if time <= Double(first.time) { return first.perHour }
        if time >= Double(last.time) { return last.perHour }
        for (a, b) in zip(points, points.dropFirst()) where time <= Double(b.time) {
            let f = (time - Double(a.time)) / Double(b.time - a.time)
            return a.perHour + f * (b.perHour - a.perHour)
        }
        return last.perHour
    }

    public var maximum: Double { points.map(\.perHour).max() ?? 0 }

    /// Expected arrivals between two times of day (the integral of the rate; trapezoids are
    /// exact for straight lines).
    public func expected(from start: Int, to end: Int) -> Double {
        guard end > start else { return 0 }
        var cuts = Set([start, end])
        for p in points where p.time > start && p.time < end { cuts.insert(p.time) }
        let sorted = cuts.sorted()
        return zip(sorted, sorted.dropFirst()).reduce(0) { sum, pair in
            sum + (perHour(at: Double(pair.0)) + perHour(at: Double(pair.1))) / 2 * Double(pair.1 - pair.0) / 3600
        }
    }
}
