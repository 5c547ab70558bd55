#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskProtocol

/// A report being merged from days (`ReportDayFold`) of one kiosk or many: the one place where
/// day folds become a `Report`. Memory grows with services, staff members, days and cases of
/// the period, not with its events, so a fleet's year streams through it one day fold at a time.
///
/// Each day fold is added with its kiosk's context (`add`): the configuration whose wait targets
/// and business day apply, the staff scope (the fleet: staff 1001 at two sites are two people)
/// and the states of the cases it opened. The result does not depend on the order days and
/// kiosks are added in: every figure is a count, a sum of whole numbers or an exact
/// distribution (`SecondsHistogram`).
public struct ReportFold: Sendable {
    /// A kiosk of the report, in order: its configuration names services and staff; the first
    /// gives the report's kiosk, site and time zone.
    public struct Source: Sendable {
        public var configuration: Configuration
        public var staffScope: String?
        public init(configuration: Configuration, staffScope: String? = nil) {
            self.configuration = configuration; self.staffScope = staffScope
        }

        /// The key a staff number is reported under (see `ReportSource.staffScope`).
        func staffKey(_ number: String) -> String { staffScope.map { "\($0)/\(number)" } ?? number }
    }

    public private(set) var days: Set<String> = []
    /// Events in the day folds added.
    public private(set) var events = 0
    var overall = ReportTally()
    var services: [String: ReportTally] = [:]
    var staff: [String: StaffTally] = [:]
    var hourIssued = [Int](repeating: 0, count: 24)
    var hourWaits = [SecondsSum](repeating: SecondsSum(), count: 24)
    var dayEstimates: [String: EstimateAccuracy.Tally] = [:]
    var careRaised = 0
    var careAcknowledged = 0
    var careDelays = SecondsSum()
    var carePredicted = 0
    var cases: [CaseState] = []
    /// Rating levels 1…4 by the event's service, and by staff key (`RatingDistribution`).
    public private(set) var ratingLevels: [String: [Int]] = [:]
    public private(set) var staffRatingLevels: [String: [Int]] = [:]

    public init() {}

    /// Adds one kiosk's day.
    /// - Parameters:
    ///   - configuration: the kiosk's configuration now: its services' `target-wait` count
    ///     within-target, its calendar says whether the day is over (then the day's uncalled
    ///     tickets are walk-outs, as they are once a `day.closed` was seen).
    ///   - caseState: the state of a case the day opened, by reference; a case without one is
    ///     not counted.
    public mutating func add(_ day: ReportDayFold, configuration: Configuration, staffScope: String? = nil,
                             now: Date, caseState: (String) -> CaseState?) {
        guard day.events > 0 else { return }
        days.insert(day.day)
        events += day.events
        func target(_ service: String?) -> Int {
            (service.flatMap { configuration.service($0) }?.targetWaitMinutes ?? 10) * 60
        }
        let over = day.closed || today(configuration, now) > day.day
        var all = day.overall
        all.withinTarget = day.unassignedWaits.count(atMost: target(nil))
        for (id, tally) in day.services {
            var t = tally
            t.withinTarget = t.waits.count(atMost: target(id))
            all.withinTarget += t.withinTarget
            services[id, default: ReportTally()].merge(t)
        }
        if over {
            for (id, n) in day.uncalledByService { services[id, default: ReportTally()].walkOuts += n }
        }
        if over { all.walkOuts += day.uncalled }
        overall.merge(all)
        let scope = Source(configuration: configuration, staffScope: staffScope)
        for (number, tally) in day.staff { staff[scope.staffKey(number), default: StaffTally()].merge(tally) }
        for h in 0..<24 {
            hourIssued[h] += day.hourIssued[h]
            hourWaits[h].merge(day.hourWaits[h])
        }
        if day.overall.estimates.count > 0 { dayEstimates[day.day, default: EstimateAccuracy.Tally()].merge(day.overall.estimates) }
        careRaised += day.careRaised
        careAcknowledged += day.careAcknowledged
        carePredicted += day.carePredicted
        careDelays.merge(day.careDelays)
        cases += day.openedCases.compactMap(caseState)
        for (s, levels) in day.ratingLevels { ratingLevels[s] = Self.add(ratingLevels[s], levels) }
        for (s, levels) in day.staffRatingLevels {
            staffRatingLevels[scope.staffKey(s)] = Self.add(staffRatingLevels[scope.staffKey(s)], levels)
        }
    }

    /// Both folds together (days or kiosks already added to each).
    public mutating func merge(_ o: ReportFold) {
        days.formUnion(o.days)
        events += o.events
        overall.merge(o.overall)
        services.merge(o.services) { var a = $0; a.merge($1); return a }
        staff.merge(o.staff) { var a = $0; a.merge($1); return a }
        for h in 0..<24 {
            hourIssued[h] += o.hourIssued[h]
            hourWaits[h].merge(o.hourWaits[h])
        }
        dayEstimates.merge(o.dayEstimates) { var a = $0; a.merge($1); return a }
        careRaised += o.careRaised
        careAcknowledged += o.careAcknowledged
        carePredicted += o.carePredicted
        careDelays.merge(o.careDelays)
        cases += o.cases
        ratingLevels.merge(o.ratingLevels) { Self.add($0, $1) }
        staffRatingLevels.merge(o.staffRatingLevels) { Self.add($0, $1) }
    }

    /// The business day of `now` on a configuration's calendar (kept: a fleet's year adds
    /// hundreds of thousands of days under a few calendars).
    private var todays: [String: (at: Date, day: String)] = [:]
    private mutating func today(_ configuration: Configuration, _ now: Date) -> String {
        let key = "\(configuration.zone.identifier)|\(configuration.businessDayStartHour)"
        if let held = todays[key], held.at == now { return held.day }
        let day = LocalCalendar(configuration).businessDay(of: now)
        todays[key] = (now, day)
        return day
    }

    static func add(_ a: [Int]?, _ b: [Int]) -> [Int] { a.map { zip($0, b).map(+) } ?? b }

    /// The report. Services are listed in the order of the sources' configurations, then any
    /// other service seen, by id; the report's kiosk, site and time zone are the first source's
    /// (callers relabel a site or fleet report).
    /// - Parameter staff: false leaves the staff list out (a day of a period's chart: on a fleet
    ///   page a year of days would otherwise hold every staff member once per day).
    public func report(sources: [Source], now: Date, staff withStaff: Bool = true) -> Report {
        let sources = sources.isEmpty ? [Source(configuration: Configuration())] : sources
        var ids: [String] = []
        var known = Set<String>()
        for s in sources {
            for id in s.configuration.services.map(\.id) where known.insert(id).inserted { ids.append(id) }
        }
        ids += services.keys.filter { !known.contains($0) }.sorted()
        let serviceReports = ids.map { id in
            let name = sources.lazy.compactMap { $0.configuration.service(id)?.name(.chinese) }.first ?? id
            return (services[id] ?? ReportTally()).serviceReport(id: id, name: name)
        }

        var staffReports: [StaffReport] = []
        if withStaff {
            var staffNames: [String: String] = [:]
            for s in sources {
                for member in s.configuration.staff where staffNames[s.staffKey(member.number)] == nil {
                    staffNames[s.staffKey(member.number)] = s.staffScope.map { "\(member.name) · \($0)" } ?? member.name
                }
            }
            staffReports = staff.keys.sorted().map { staff[$0]!.staffReport(number: $0, name: staffNames[$0]) }
        }

        let figures = CaseFigures(cases: cases, now: now)
        let all = figures.all
        let caseReport = CaseReport(
            opened: all.opened, answered: all.replied, answeredInTime: all.repliedInTime, overdue: all.overdue,
            shareAnswered: ReportMath.ratio(all.replied, all.opened), shareAnsweredInTime: all.repliedInTimeRate)

        let header = sources[0].configuration
        return Report(
            kiosk: header.kioskID, site: header.siteName, timeZone: header.zone.identifier,
            days: days.sorted(), generatedAt: now, services: serviceReports,
            overall: overall.serviceReport(id: "all", name: "合计"), staff: staffReports,
            care: CareReport(predicted: carePredicted, raised: careRaised, acknowledged: careAcknowledged,
                             averageMinutesToAcknowledge: careDelays.mean.map { $0 / 60 }),
            cases: caseReport, caseFigures: figures,
            hours: (0..<24).map { HourReport(hour: $0, issued: hourIssued[$0], averageWaitSeconds: hourWaits[$0].mean) },
            estimatesByDay: dayEstimates.keys.sorted().map { DayEstimateAccuracy(day: $0, estimates: dayEstimates[$0]!.figures) })
    }
}
