import Foundation
import KioskCore
import KioskProtocol

/// The report fold as it was before reports were merged from day folds (ReportBuilder at commit
/// 66ec128, unchanged but for its name): all events of the period in memory, one pass. Kept as
/// the reference the merged day folds are checked against (ReportFoldTests).
///
/// A ticket is identified by its business day and label; it keeps its label across a transfer.
/// Each figure is attributed to the service the ticket belonged to when the event happened
/// (tracked from `ticket.issued` and `ticket.transferred`; an event's own `service` field is used
/// for tickets whose issue is not among the events).
enum ReferenceReportBuilder {
    /// - Parameter cases: the states of cases opened in `events` as known elsewhere (the kiosk's
    ///   pulled states, the centre's authoritative ones); a case without one is folded from
    ///   `events` (`CaseState.fold`).
    static func build(events: [KioskEvent], configuration: Configuration, cases: [CaseState] = [], now: Date) -> Report {
        build(sources: [ReportSource(events: events, configuration: configuration, cases: cases)], now: now)
    }

    /// One report over several kiosks (a site, or the whole fleet at the centre). Ticket labels,
    /// case references, counters and care alerts repeat from kiosk to kiosk, so each source keeps
    /// its own; waits, targets, deadlines and hours of day follow each source's configuration.
    /// Services are listed in the order of the sources' configurations; the report's kiosk, site
    /// and time zone are the first source's (callers relabel a site or fleet report).
    static func build(sources: [ReportSource], now: Date) -> Report {
        // Stable sort by time: events of several sources may interleave.
        let ordered = sources.enumerated()
            .flatMap { s, source in source.events.map { (source: s, event: $0) } }
            .enumerated()
            .sorted { ($0.element.event.time, $0.offset) < ($1.element.event.time, $1.offset) }
            .map(\.element)
        var builder = Builder(sources: sources.isEmpty ? [ReportSource(events: [], configuration: Configuration())] : sources, now: now)
        for (source, event) in ordered { builder.apply(event, source: source) }
        return builder.report()
    }
}

private struct TicketKey: Hashable {
    var source: Int
    var day: String
    var label: String
}

private struct TrackedTicket {
    var day: String
    var issuedAt: Date?
    var issueHour: Int?
    /// The service the ticket is in now.
    var service: String?
    /// The estimate stored on `ticket.issued` (`EstimateAccuracy`).
    var estimateLow: Int?
    var estimateHigh: Int?
    var estimateSeconds: Int?
    var firstCalledAt: Date?
    /// Services in which the ticket has been called.
    var calledIn: Set<String> = []
    var startedAt: Date?
    var noShow = false
}

/// Running totals for one service, for all services, or for one staff member.
private struct Tally {
    var issued = 0
    var priority = 0
    var called = 0
    var served = 0
    var noShows = 0
    var walkOuts = 0
    var transfers = 0
    var waits: [Double] = []
    var withinTarget = 0
    var promiseAsked = 0
    var promiseKept = 0
    var estimates = EstimateAccuracy.Tally()
    var serviceTimes: [Double] = []
    var scores: [Double] = []
    var topTwo = 0
    var misuse = 0
    var notRated = 0
    var reasons: [String: Int] = [:]

    var ratings: Int { scores.count }

    func serviceReport(id: String, name: String) -> ServiceReport {
        ServiceReport(
            id: id, name: name, issued: issued, priority: priority, called: called, served: served,
            noShows: noShows, walkOuts: walkOuts, transfers: transfers,
            wait: DurationStats(waits), serviceTime: DurationStats(serviceTimes),
            withinTarget: ReportMath.ratio(withinTarget, waits.count),
            promiseKept: ReportMath.ratio(promiseKept, promiseAsked), estimates: estimates.figures,
            noShowRate: ReportMath.ratio(noShows, called),
            ratings: ratings, satisfactionIndex: ReportMath.mean(scores),
            csat: ReportMath.ratio(topTwo, ratings), responseRate: ReportMath.ratio(ratings, served),
            misuse: misuse, notRated: notRated, reasons: reasons)
    }

    func staffReport(number: String, name: String?) -> StaffReport {
        StaffReport(
            number: number, name: name, served: served, averageServiceSeconds: ReportMath.mean(serviceTimes),
            ratings: ratings, satisfactionIndex: ReportMath.mean(scores), csat: ReportMath.ratio(topTwo, ratings),
            responseRate: ReportMath.ratio(ratings, served))
    }
}

private struct Builder {
    let sources: [ReportSource]
    let calendars: [LocalCalendar]
    let now: Date
    /// The source of the event being applied.
    var source = 0
    var configuration: Configuration { sources[source].configuration }
    var calendar: LocalCalendar { calendars[source] }

    var days: Set<String> = []
    var closedDays: Set<DayKey> = []
    var tickets: [TicketKey: TrackedTicket] = [:]
    var ticketOrder: [TicketKey] = []
    var overall = Tally()
    var services: [String: Tally] = [:]
    var staff: [String: Tally] = [:]
    /// Staff logged in at each counter of each source (fallback when an event carries no staff number).
    var counterStaff: [CounterKey: String] = [:]
    var hourIssued = [Int](repeating: 0, count: 24)
    var hourWaits = [[Double]](repeating: [], count: 24)
    /// Estimate accuracy by the business day the tickets were issued on.
    var dayEstimates: [String: EstimateAccuracy.Tally] = [:]
    var careRaisedAt: [String: Date] = [:]
    var careRaised = 0
    var carePredicted = 0
    var careAcknowledged = 0
    var careMinutes: [Double] = []
    /// Case events of each source by reference, and the references opened, in order.
    var caseEvents: [CaseKey: [KioskEvent]] = [:]
    var openedCases: [CaseKey] = []

    struct CounterKey: Hashable { var source: Int; var counter: Int }
    struct DayKey: Hashable { var source: Int; var day: String }
    struct CaseKey: Hashable { var source: Int; var ref: String }

    init(sources: [ReportSource], now: Date) {
        self.sources = sources
        self.calendars = sources.map { LocalCalendar($0.configuration) }
        self.now = now
    }

    /// Applies `change` to the overall tally and, when known, to the service's tally.
    mutating func count(_ service: String?, _ change: (inout Tally) -> Void) {
        change(&overall)
        if let service { change(&services[service, default: Tally()]) }
    }

    mutating func countStaff(_ number: String?, _ change: (inout Tally) -> Void) {
        guard let number, !number.isEmpty else { return }
        change(&staff[sources[source].staffKey(number), default: Tally()])
    }

    func ticketKey(_ e: KioskEvent) -> TicketKey? {
        e.ticket.map { TicketKey(source: source, day: e.day, label: $0) }
    }

    /// The service an event about a ticket belongs to.
    func service(of e: KioskEvent) -> String? {
        if let key = ticketKey(e), let service = tickets[key]?.service { return service }
        return e.service
    }

    func staffNumber(_ e: KioskEvent) -> String? {
        e.staff ?? e.counter.flatMap { counterStaff[CounterKey(source: source, counter: $0)] }
    }

    /// The tracked ticket for an event, created on first sight if its issue is not among the events.
    mutating func ticket(for e: KioskEvent) -> TicketKey? {
        guard let key = ticketKey(e) else { return nil }
        if tickets[key] == nil {
            tickets[key] = TrackedTicket(day: e.day, service: e.service)
            ticketOrder.append(key)
        }
        return key
    }

    func targetSeconds(_ service: String?) -> Double {
        Double((service.flatMap { configuration.service($0) }?.targetWaitMinutes ?? 10) * 60)
    }

    mutating func apply(_ e: KioskEvent, source: Int) {
        self.source = source
        days.insert(e.day)
        switch e.type {
        case .ticketIssued:
            guard let key = ticketKey(e) else { return }
            if let existing = tickets[key], existing.issuedAt != nil { return }  // duplicate
            if tickets[key] == nil { ticketOrder.append(key) }
            let hour = calendar.hour(of: e.time)
            var t = tickets[key] ?? TrackedTicket(day: e.day)
            t.issuedAt = e.time
            t.issueHour = hour
            t.service = e.service ?? t.service
            t.estimateLow = e.estimateLow
            t.estimateHigh = e.estimateHigh
            t.estimateSeconds = e.estimateSeconds
            tickets[key] = t
            let priority = e.priority ?? false
            count(t.service) { $0.issued += 1; if priority { $0.priority += 1 } }
            hourIssued[hour] += 1

        case .ticketCalled:
            guard let key = ticket(for: e), var t = tickets[key] else { return }
            let service = t.service ?? e.service
            if t.firstCalledAt == nil {
                t.firstCalledAt = e.time
                overall.called += 1
                if let issued = t.issuedAt {
                    let wait = e.time.timeIntervalSince(issued)
                    let inTarget = wait <= targetSeconds(service)
                    let promise: Bool? = t.estimateHigh.map { wait <= Double($0 * 60) }
                    var estimate: EstimateAccuracy.Tally?
                    if let low = t.estimateLow, let high = t.estimateHigh {
                        estimate = EstimateAccuracy.Tally()
                        estimate?.add(low: low, high: high, estimateSeconds: t.estimateSeconds, waitSeconds: wait)
                        dayEstimates[t.day, default: EstimateAccuracy.Tally()].merge(estimate!)
                    }
                    count(service) {
                        $0.waits.append(wait)
                        if inTarget { $0.withinTarget += 1 }
                        if let promise { $0.promiseAsked += 1; if promise { $0.promiseKept += 1 } }
                        if let estimate { $0.estimates.merge(estimate) }
                    }
                    if let hour = t.issueHour { hourWaits[hour].append(wait) }
                }
            }
            if let service, !t.calledIn.contains(service) {
                t.calledIn.insert(service)
                services[service, default: Tally()].called += 1
            }
            tickets[key] = t

        case .ticketNoShow:
            guard let key = ticket(for: e), var t = tickets[key], !t.noShow else { return }
            t.noShow = true
            tickets[key] = t
            count(t.service ?? e.service) { $0.noShows += 1 }

        case .ticketTransferred:
            let from = e.fromService ?? ticketKey(e).flatMap { tickets[$0]?.service }
            let key = ticket(for: e)
            count(from) { $0.transfers += 1 }
            if let key {
                if let to = e.service { tickets[key]?.service = to }
                tickets[key]?.startedAt = nil
            }

        case .serviceStarted:
            guard let key = ticket(for: e) else { return }
            tickets[key]?.startedAt = e.time

        case .serviceFinished:
            var duration: Double?
            var service = e.service
            if let key = ticket(for: e), let t = tickets[key] {
                service = t.service ?? e.service
                duration = t.startedAt.map { e.time.timeIntervalSince($0) }
                tickets[key]?.startedAt = nil
            }
            let change: (inout Tally) -> Void = { tally in
                tally.served += 1
                if let duration { tally.serviceTimes.append(duration) }
            }
            count(service, change)
            countStaff(staffNumber(e), change)

        case .ratingRecorded:
            guard let level = e.rating ?? e.score.map({ ReportMath.level(score: $0) }),
                  let score = e.score ?? ReportMath.score(level: level) else { return }
            let change: (inout Tally) -> Void = { tally in
                tally.scores.append(Double(score))
                if level == 1 || level == 2 { tally.topTwo += 1 }
            }
            count(service(of: e), change)
            countStaff(staffNumber(e), change)

        case .ratingReason:
            guard let reason = e.reason else { return }
            count(service(of: e)) { $0.reasons[reason, default: 0] += 1 }

        case .ratingMisuse:
            count(service(of: e)) { $0.misuse += 1 }

        case .notRated:
            count(service(of: e)) { $0.notRated += 1 }

        case .caseOpened, .caseAssigned, .caseContacted, .caseResolved, .caseClosed, .caseReopened, .caseEscalated,
             .caseAlertAcknowledged, .caseContactAsked, .caseContactGiven, .caseContactSkipped, .caseContactViewed,
             .caseContactErased, .caseResidentNotified, .caseCallback:
            guard let ref = e.caseRef.map({ CaseKey(source: source, ref: $0) }) else { return }
            if e.type == .caseOpened && !caseEvents[ref, default: []].contains(where: { $0.type == .caseOpened }) {
                openedCases.append(ref)
            }
            caseEvents[ref, default: []].append(e)

        case .carePredicted:
            carePredicted += 1

        case .careAlertRaised:
            careRaised += 1
            let id = careID(e)
            if careRaisedAt[id] == nil { careRaisedAt[id] = e.time }

        case .careAcknowledged:
            careAcknowledged += 1
            let id = careID(e)
            if let raised = careRaisedAt.removeValue(forKey: id) {
                careMinutes.append(e.time.timeIntervalSince(raised) / 60)
            }

        case .staffLoggedIn:
            if let n = e.counter, let s = e.staff { counterStaff[CounterKey(source: source, counter: n)] = s }
        case .staffLoggedOut:
            if let n = e.counter { counterStaff[CounterKey(source: source, counter: n)] = nil }

        case .dayClosed:
            closedDays.insert(DayKey(source: source, day: e.day))

        case .ticketRecalled, .farewellShown, .farewellEnded, .staffLoginFailed, .counterOpened, .counterPaused,
             .counterClosed, .weatherSet, .printerFailed, .printerRecovered, .eventsLost:
            break
        }
    }

    /// The states of the cases opened in the events: given (`ReportSource.cases`) or folded.
    func caseStates() -> [CaseState] {
        let given = sources.map { source in
            Dictionary(source.cases.map { ($0.ref, $0) }, uniquingKeysWith: { $0.version >= $1.version ? $0 : $1 })
        }
        return openedCases.compactMap { key in
            given[key.source][key.ref] ?? CaseState.fold(caseEvents[key] ?? [])
        }
    }

    func careID(_ e: KioskEvent) -> String {
        "\(source)|\(e.day)|\(e.ticket ?? "counter-\(e.counter.map(String.init) ?? "")")"
    }

    mutating func report() -> Report {
        // Walk-outs: issued, never called, and their business day is over (at their own kiosk).
        let today = calendars.map { $0.businessDay(of: now) }
        for key in ticketOrder {
            guard let t = tickets[key], t.issuedAt != nil, t.firstCalledAt == nil else { continue }
            if closedDays.contains(DayKey(source: key.source, day: t.day)) || today[key.source] > t.day {
                count(t.service) { $0.walkOuts += 1 }
            }
        }

        var ids: [String] = []
        for s in sources { ids += s.configuration.services.map(\.id).filter { !ids.contains($0) } }
        ids += services.keys.filter { id in !ids.contains(id) }.sorted()
        let serviceReports = ids.map { id in
            let name = sources.lazy.compactMap { $0.configuration.service(id)?.name(.chinese) }.first ?? id
            return (services[id] ?? Tally()).serviceReport(id: id, name: name)
        }

        var staffNames: [String: String] = [:]
        for s in sources {
            for member in s.configuration.staff where staffNames[s.staffKey(member.number)] == nil {
                staffNames[s.staffKey(member.number)] = s.staffScope.map { "\(member.name) · \($0)" } ?? member.name
            }
        }
        let staffReports = staff.keys.sorted().map { number in
            staff[number]!.staffReport(number: number, name: staffNames[number])
        }

        let figures = CaseFigures(cases: caseStates(), now: now)
        let all = figures.all
        let caseReport = CaseReport(
            opened: all.opened, answered: all.replied, answeredInTime: all.repliedInTime, overdue: all.overdue,
            shareAnswered: ReportMath.ratio(all.replied, all.opened), shareAnsweredInTime: all.repliedInTimeRate)

        let header = sources[0].configuration
        return Report(
            kiosk: header.kioskID, site: header.siteName, timeZone: header.timeZone.identifier,
            days: days.sorted(), generatedAt: now, services: serviceReports,
            overall: overall.serviceReport(id: "all", name: "合计"), staff: staffReports,
            care: CareReport(predicted: carePredicted, raised: careRaised, acknowledged: careAcknowledged,
                             averageMinutesToAcknowledge: ReportMath.mean(careMinutes)),
            cases: caseReport, caseFigures: figures,
            hours: (0..<24).map { HourReport(hour: $0, issued: hourIssued[$0], averageWaitSeconds: ReportMath.mean(hourWaits[$0])) },
            estimatesByDay: dayEstimates.keys.sorted().map { DayEstimateAccuracy(day: $0, estimates: dayEstimates[$0]!.figures) })
    }
}
