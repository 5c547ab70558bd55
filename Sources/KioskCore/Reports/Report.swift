#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A report computed from events by `ReportBuilder`: pure data, printable by `ReportFormatter`.
///
/// Conventions:
/// - Durations are in seconds (`Double`), except care acknowledgement which is in minutes.
/// - Rates are `Double` in 0…1. A rate whose denominator is 0 is `nil`, encoded as JSON `null`
///   (optional fields are always written, never omitted).
public struct Report: Codable, Equatable, Sendable {
    /// Kiosk and site the configuration describes.
    public var kiosk: String
    public var site: String
    /// Time zone identifier used for hours of day.
    public var timeZone: String
    /// Distinct business days seen in the events, ascending.
    public var days: [String]
    /// The `now` the report was built at.
    public var generatedAt: Date
    /// Configured services in configuration order, then any other service ids seen in events.
    public var services: [ServiceReport]
    /// All events together (id "all"). Not always the sum of `services`: events that name no
    /// service (a misuse press with no ticket) count only here, and a ticket called in two
    /// services after a transfer counts once here.
    public var overall: ServiceReport
    /// Staff members by staff number, ascending.
    public var staff: [StaffReport]
    public var care: CareReport
    public var cases: CaseReport
    /// The case figures (`CaseFigures`) of the cases opened in the period, from their states.
    public var caseFigures: CaseFigures
    /// Hours 0…23 of local time, all 24 present.
    public var hours: [HourReport]
    /// Estimate accuracy (`EstimateAccuracy`) of the tickets of each business day, ascending;
    /// per service it is in `services[…].estimates`.
    public var estimatesByDay: [DayEstimateAccuracy]

    public init(kiosk: String, site: String, timeZone: String, days: [String], generatedAt: Date,
                services: [ServiceReport], overall: ServiceReport, staff: [StaffReport], care: CareReport,
                cases: CaseReport, caseFigures: CaseFigures = CaseFigures(cases: [], now: Date(timeIntervalSince1970: 0)),
                hours: [HourReport], estimatesByDay: [DayEstimateAccuracy] = []) {
        self.kiosk = kiosk; self.site = site; self.timeZone = timeZone; self.days = days
        self.generatedAt = generatedAt; self.services = services; self.overall = overall; self.staff = staff
        self.care = care; self.cases = cases; self.caseFigures = caseFigures; self.hours = hours
        self.estimatesByDay = estimatesByDay
    }
}

/// Average and 90th percentile (nearest rank) of a set of durations, in seconds.
public struct DurationStats: Codable, Equatable, Sendable {
    public var count: Int
    public var average: Double?
    public var p90: Double?

    public init(count: Int, average: Double?, p90: Double?) { self.count = count; self.average = average; self.p90 = p90 }

    public init(_ values: [Double]) {
        self.init(count: values.count, average: ReportMath.mean(values), p90: ReportMath.percentile(values, 90))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(count, forKey: .count)
        try c.encode(average, forKey: .average)
        try c.encode(p90, forKey: .p90)
    }
}

/// Queue and satisfaction figures for one service (or for all of them).
public struct ServiceReport: Codable, Equatable, Sendable {
    /// Service id, or "all" for the overall figures.
    public var id: String
    /// Chinese name from the configuration ("合计" for overall; the id when not configured).
    public var name: String
    /// Tickets issued for this service.
    public var issued: Int
    public var priority: Int
    /// Tickets called at least once while in this service.
    public var called: Int
    /// Services finished.
    public var served: Int
    public var noShows: Int
    /// Tickets never called by the end of their business day.
    public var walkOuts: Int
    /// Tickets transferred away from this service.
    public var transfers: Int
    /// First call − issue, attributed to the service at the first call.
    public var wait: DurationStats
    /// `service.finished` − `service.started`.
    public var serviceTime: DurationStats
    /// Share of waits within the service's `targetWaitMinutes`.
    public var withinTarget: Double?
    /// Share of called tickets first called within `estimateHigh` minutes of issue.
    public var promiseKept: Double?
    /// How well the estimates stored on its tickets came true (`EstimateAccuracy`), attributed
    /// like the waits to the service at the first call.
    public var estimates: EstimateAccuracy
    /// No-shows ÷ tickets called.
    public var noShowRate: Double?
    public var ratings: Int
    /// Mean score (100 / 67 / 33 / 0).
    public var satisfactionIndex: Double?
    /// Ratings of level 1 or 2 ÷ all ratings.
    public var csat: Double?
    /// Ratings ÷ services finished.
    public var responseRate: Double?
    public var misuse: Int
    public var notRated: Int
    /// Follow-up reason key → count.
    public var reasons: [String: Int]

    public init(id: String, name: String, issued: Int = 0, priority: Int = 0, called: Int = 0, served: Int = 0,
                noShows: Int = 0, walkOuts: Int = 0, transfers: Int = 0,
                wait: DurationStats = DurationStats([]), serviceTime: DurationStats = DurationStats([]),
                withinTarget: Double? = nil, promiseKept: Double? = nil, estimates: EstimateAccuracy = EstimateAccuracy(),
                noShowRate: Double? = nil, ratings: Int = 0,
                satisfactionIndex: Double? = nil, csat: Double? = nil, responseRate: Double? = nil, misuse: Int = 0,
                notRated: Int = 0, reasons: [String: Int] = [:]) {
        self.id = id; self.name = name; self.issued = issued; self.priority = priority; self.called = called
        self.served = served; self.noShows = noShows; self.walkOuts = walkOuts; self.transfers = transfers
        self.wait = wait; self.serviceTime = serviceTime; self.withinTarget = withinTarget
        self.promiseKept = promiseKept; self.estimates = estimates; self.noShowRate = noShowRate; self.ratings = ratings
        self.satisfactionIndex = satisfactionIndex; self.csat = csat; self.responseRate = responseRate
        self.misuse = misuse; self.notRated = notRated; self.reasons = reasons
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(issued, forKey: .issued)
        try c.encode(priority, forKey: .priority)
        try c.encode(called, forKey: .called)
        try c.encode(served, forKey: .served)
        try c.encode(noShows, forKey: .noShows)
        try c.encode(walkOuts, forKey: .walkOuts)
        try c.encode(transfers, forKey: .transfers)
        try c.encode(wait, forKey: .wait)
        try c.encode(serviceTime, forKey: .serviceTime)
        try c.encode(withinTarget, forKey: .withinTarget)
        try c.encode(promiseKept, forKey: .promiseKept)
        try c.encode(estimates, forKey: .estimates)
        try c.encode(noShowRate, forKey: .noShowRate)
        try c.encode(ratings, forKey: .ratings)
        try c.encode(satisfactionIndex, forKey: .satisfactionIndex)
        try c.encode(csat, forKey: .csat)
        try c.encode(responseRate, forKey: .responseRate)
        try c.encode(misuse, forKey: .misuse)
        try c.encode(notRated, forKey: .notRated)
        try c.encode(reasons, forKey: .reasons)
    }
}

/// Figures for one staff member (from the `staff` field of service.finished / rating.recorded).
public struct StaffReport: Codable, Equatable, Sendable {
    public var number: String
    /// Name from the configuration, nil for a staff number it does not list.
    public var name: String?
    public var served: Int
    /// Average `service.finished` − `service.started`, seconds.
    public var averageServiceSeconds: Double?
    public var ratings: Int
    public var satisfactionIndex: Double?
    public var csat: Double?
    /// Ratings ÷ services finished.
    public var responseRate: Double?

    public init(number: String, name: String?, served: Int, averageServiceSeconds: Double?, ratings: Int,
                satisfactionIndex: Double?, csat: Double?, responseRate: Double?) {
        self.number = number; self.name = name; self.served = served; self.averageServiceSeconds = averageServiceSeconds
        self.ratings = ratings; self.satisfactionIndex = satisfactionIndex; self.csat = csat; self.responseRate = responseRate
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encode(name, forKey: .name)
        try c.encode(served, forKey: .served)
        try c.encode(averageServiceSeconds, forKey: .averageServiceSeconds)
        try c.encode(ratings, forKey: .ratings)
        try c.encode(satisfactionIndex, forKey: .satisfactionIndex)
        try c.encode(csat, forKey: .csat)
        try c.encode(responseRate, forKey: .responseRate)
    }
}

/// Care alerts (主动关怀) for long waits.
public struct CareReport: Codable, Equatable, Sendable {
    /// Proactive alerts (`care.predicted`): tickets the forecast said would pass their target,
    /// shown to staff before they did. A ticket can be predicted and later raised too.
    public var predicted: Int
    /// Tickets that passed their target (`care.raised`).
    public var raised: Int
    public var acknowledged: Int
    /// Mean minutes from `care.raised` to `care.acknowledged` for the same ticket.
    public var averageMinutesToAcknowledge: Double?

    public init(predicted: Int, raised: Int, acknowledged: Int, averageMinutesToAcknowledge: Double?) {
        self.predicted = predicted; self.raised = raised; self.acknowledged = acknowledged
        self.averageMinutesToAcknowledge = averageMinutesToAcknowledge
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(predicted, forKey: .predicted)
        try c.encode(raised, forKey: .raised)
        try c.encode(acknowledged, forKey: .acknowledged)
        try c.encode(averageMinutesToAcknowledge, forKey: .averageMinutesToAcknowledge)
    }
}

/// Cases (承诺兑现单) opened in the events and what became of them: the summary the centre's
/// daily rows and `/v1/admin/reports` carry, taken from `CaseFigures.all`.
public struct CaseReport: Codable, Equatable, Sendable {
    public var opened: Int
    /// Opened cases with a first reply (`case.contacted`).
    public var answered: Int
    /// With the first reply at or before the reply deadline.
    public var answeredInTime: Int
    /// Open and past a deadline still unmet (`CaseState.isOverdue`).
    public var overdue: Int
    /// answered ÷ opened.
    public var shareAnswered: Double?
    /// answeredInTime ÷ opened.
    public var shareAnsweredInTime: Double?

    public init(opened: Int, answered: Int, answeredInTime: Int, overdue: Int, shareAnswered: Double?,
                shareAnsweredInTime: Double?) {
        self.opened = opened; self.answered = answered; self.answeredInTime = answeredInTime; self.overdue = overdue
        self.shareAnswered = shareAnswered; self.shareAnsweredInTime = shareAnsweredInTime
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(opened, forKey: .opened)
        try c.encode(answered, forKey: .answered)
        try c.encode(answeredInTime, forKey: .answeredInTime)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(shareAnswered, forKey: .shareAnswered)
        try c.encode(shareAnsweredInTime, forKey: .shareAnsweredInTime)
    }
}

/// One hour of local time: tickets issued in it and their average wait.
public struct HourReport: Codable, Equatable, Sendable {
    /// 0…23.
    public var hour: Int
    public var issued: Int
    /// Mean wait (seconds) of the tickets issued in this hour that were called.
    public var averageWaitSeconds: Double?

    public init(hour: Int, issued: Int, averageWaitSeconds: Double?) {
        self.hour = hour; self.issued = issued; self.averageWaitSeconds = averageWaitSeconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hour, forKey: .hour)
        try c.encode(issued, forKey: .issued)
        try c.encode(averageWaitSeconds, forKey: .averageWaitSeconds)
    }
}

/// Arithmetic shared by the report code. Every function returns nil instead of dividing by zero.
public enum ReportMath {
    /// `part ÷ whole`, nil when `whole` is 0.
    public static func ratio(_ part: Int, _ whole: Int) -> Double? {
        whole == 0 ? nil : Double(part) / Double(whole)
    }

    public static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Nearest-rank percentile: the value at rank ⌈p/100 · n⌉ of the ascending values.
    public static func percentile(_ values: [Double], _ p: Int) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = (p * sorted.count + 99) / 100
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    /// The score of a rating level: 1 → 100, 2 → 67, 3 → 33, 4 → 0.
    public static func score(level: Int) -> Int? {
        switch level {
        case 1: 100
        case 2: 67
        case 3: 33
        case 4: 0
        default: nil
        }
    }

    /// The rating level of a score (the nearest of 100 / 67 / 33 / 0).
    public static func level(score: Int) -> Int {
        switch score {
        case 84...: 1
        case 50..<84: 2
        case 17..<50: 3
        default: 4
        }
    }
}
