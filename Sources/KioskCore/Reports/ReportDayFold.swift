#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The fold of one kiosk's events of one business day: counts, sums and exact distributions
/// that add up across days and kiosks (`ReportFold`), so a report over a period is the merge of
/// its days. `kioskctl report` folds its days this way in memory; kiosk-central stores one per
/// (kiosk, day) and merges the stored ones, so both give the same figures by construction.
///
/// What a day cannot know is left to `ReportFold.add`: the wait targets of the configuration in
/// force when the report is made (within-target is counted from `waits` then), whether the day
/// is over (its uncalled tickets become walk-outs), the states of the cases it opened (the
/// kiosk's pulled states or the centre's case table), and staff scoping and names.
///
/// Nothing crosses a business day: a ticket is its day and label; a care alert its day and
/// ticket; a counter's login (for events that carry no staff number, which the kiosk always
/// writes) holds within its business day.
public struct ReportDayFold: Codable, Equatable, Sendable {
    public var day: String
    /// The time zone the hours of day were counted in; a fold counted in another zone than the
    /// report's configuration must be counted again.
    public var timeZone: String
    /// Events folded (for notes and tests).
    public var events = 0
    var overall = ReportTally()
    var services: [String: ReportTally] = [:]
    /// Waits of tickets in no service (counted against the default target).
    var unassignedWaits = SecondsHistogram()
    /// By staff number as the events carry it (scoped when added to a report).
    var staff: [String: StaffTally] = [:]
    var hourIssued = [Int](repeating: 0, count: 24)
    /// Waits by the hour of issue.
    var hourWaits = [SecondsSum](repeating: SecondsSum(), count: 24)
    var careRaised = 0
    var careAcknowledged = 0
    /// Proactive care alerts (`care.predicted`): tickets the forecast said would pass their target.
    var carePredicted = 0
    /// Raised → acknowledged, seconds.
    var careDelays = SecondsSum()
    /// Tickets issued and never called (walk-outs once the day is over), overall and per service.
    var uncalled = 0
    var uncalledByService: [String: Int] = [:]
    /// A `day.closed` event was seen.
    var closed = false
    /// References of the cases opened, in order.
    var openedCases: [String] = []
    /// Rating levels 1…4 counted by the event's own service and staff (`RatingDistribution`).
    var ratingLevels: [String: [Int]] = [:]
    var staffRatingLevels: [String: [Int]] = [:]

    /// The fold of `events`, all of one kiosk and of business day `day` (others are ignored),
    /// in the order they happened (stable by time).
    public init(day: String, events: [KioskEvent], configuration: Configuration) {
        self.day = day
        self.timeZone = configuration.zone.identifier
        var builder = DayFoldBuilder(calendar: LocalCalendar(configuration))
        let ordered = events.enumerated().filter { $0.element.day == day }
            .sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
        for (_, e) in ordered { builder.apply(e, to: &self) }
        builder.finish(&self)
    }

    /// One fold per business day of one kiosk's events, oldest day first.
    public static func days(of events: [KioskEvent], configuration: Configuration) -> [ReportDayFold] {
        Dictionary(grouping: events, by: \.day).sorted { $0.key < $1.key }
            .map { ReportDayFold(day: $0.key, events: $0.value, configuration: configuration) }
    }

    mutating func count(_ service: String?, _ change: (inout ReportTally) -> Void) {
        change(&overall)
        if let service { change(&services[service, default: ReportTally()]) }
    }

    mutating func countStaff(_ number: String?, _ change: (inout StaffTally) -> Void) {
        guard let number, !number.isEmpty else { return }
        change(&staff[number, default: StaffTally()])
    }
}

private struct TrackedTicket {
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

/// The state of one day's fold while its events are applied: tickets by label, logins by
/// counter, open care alerts. Each figure is attributed to the service the ticket belonged to
/// when the event happened (tracked from `ticket.issued` and `ticket.transferred`; an event's
/// own `service` field is used for tickets whose issue is not among the events).
private struct DayFoldBuilder {
    let calendar: LocalCalendar
    var tickets: [String: TrackedTicket] = [:]
    var ticketOrder: [String] = []
    var counterStaff: [Int: String] = [:]
    var careRaisedAt: [String: Date] = [:]
    var openedRefs: Set<String> = []

    /// The service an event about a ticket belongs to.
    func service(of e: KioskEvent) -> String? {
        if let label = e.ticket, let service = tickets[label]?.service { return service }
        return e.service
    }

    func staffNumber(_ e: KioskEvent) -> String? {
        e.staff ?? e.counter.flatMap { counterStaff[$0] }
    }

    /// The tracked ticket for an event, created on first sight if its issue is not among the events.
    mutating func ticket(for e: KioskEvent) -> String? {
        guard let label = e.ticket else { return nil }
        if tickets[label] == nil {
            tickets[label] = TrackedTicket(service: e.service)
            ticketOrder.append(label)
        }
        return label
    }

    func careID(_ e: KioskEvent) -> String { e.ticket ?? "counter-\(e.counter.map(String.init) ?? "")" }

    mutating func apply(_ e: KioskEvent, to f: inout ReportDayFold) {
        f.events += 1
        switch e.type {
        case .ticketIssued:
            guard let label = e.ticket else { return }
            if let existing = tickets[label], existing.issuedAt != nil { return }  // duplicate
            if tickets[label] == nil { ticketOrder.append(label) }
            let hour = calendar.hour(of: e.time)
            var t = tickets[label] ?? TrackedTicket()
            t.issuedAt = e.time
            t.issueHour = hour
            t.service = e.service ?? t.service
            t.estimateLow = e.estimateLow
            t.estimateHigh = e.estimateHigh
            t.estimateSeconds = e.estimateSeconds
            tickets[label] = t
            let priority = e.priority ?? false
            f.count(t.service) { $0.issued += 1; if priority { $0.priority += 1 } }
            f.hourIssued[hour] += 1

        case .ticketCalled:
            guard let label = ticket(for: e), var t = tickets[label] else { return }
            let service = t.service ?? e.service
            if t.firstCalledAt == nil {
                t.firstCalledAt = e.time
                f.overall.called += 1
                if let issued = t.issuedAt {
                    let wait = ReportSeconds.between(issued, e.time)
                    let promise: Bool? = t.estimateHigh.map { wait <= $0 * 60 }
                    var estimate: EstimateAccuracy.Tally?
                    if let low = t.estimateLow, let high = t.estimateHigh {
                        estimate = EstimateAccuracy.Tally()
                        estimate?.add(low: low, high: high, estimateSeconds: t.estimateSeconds, waitSeconds: Double(wait))
                    }
                    f.count(service) {
                        $0.waits.add(wait)
                        if let promise { $0.promiseAsked += 1; if promise { $0.promiseKept += 1 } }
                        if let estimate { $0.estimates.merge(estimate) }
                    }
                    if service == nil { f.unassignedWaits.add(wait) }
                    if let hour = t.issueHour { f.hourWaits[hour].add(wait) }
                }
            }
            if let service, !t.calledIn.contains(service) {
                t.calledIn.insert(service)
                f.services[service, default: ReportTally()].called += 1
            }
            tickets[label] = t

        case .ticketNoShow:
            guard let label = ticket(for: e), var t = tickets[label], !t.noShow else { return }
            t.noShow = true
            tickets[label] = t
            f.count(t.service ?? e.service) { $0.noShows += 1 }

        case .ticketTransferred:
            let from = e.fromService ?? e.ticket.flatMap { tickets[$0]?.service }
            let label = ticket(for: e)
            f.count(from) { $0.transfers += 1 }
            if let label {
                if let to = e.service { tickets[label]?.service = to }
                tickets[label]?.startedAt = nil
            }

        case .serviceStarted:
            guard let label = ticket(for: e) else { return }
            tickets[label]?.startedAt = e.time

        case .serviceFinished:
            var duration: Int?
            var service = e.service
            if let label = ticket(for: e), let t = tickets[label] {
                service = t.service ?? e.service
                duration = t.startedAt.map { ReportSeconds.between($0, e.time) }
                tickets[label]?.startedAt = nil
            }
            f.count(service) { tally in
                tally.served += 1
                if let duration { tally.serviceTimes.add(duration) }
            }
            f.countStaff(staffNumber(e)) { tally in
                tally.served += 1
                if let duration { tally.serviceTimes.add(duration) }
            }

        case .ratingRecorded:
            if let r = e.rating, (1...4).contains(r) {
                if let s = e.service { f.ratingLevels[s, default: [0, 0, 0, 0]][r - 1] += 1 }
                if let s = e.staff { f.staffRatingLevels[s, default: [0, 0, 0, 0]][r - 1] += 1 }
            }
            guard let level = e.rating ?? e.score.map({ ReportMath.level(score: $0) }),
                  let score = e.score ?? ReportMath.score(level: level) else { return }
            let topTwo = level == 1 || level == 2
            f.count(service(of: e)) { tally in
                tally.scoreSum += score; tally.ratings += 1
                if topTwo { tally.topTwo += 1 }
            }
            f.countStaff(staffNumber(e)) { tally in
                tally.scoreSum += score; tally.ratings += 1
                if topTwo { tally.topTwo += 1 }
            }

        case .ratingReason:
            guard let reason = e.reason else { return }
            f.count(service(of: e)) { $0.reasons[reason, default: 0] += 1 }

        case .ratingMisuse:
            f.count(service(of: e)) { $0.misuse += 1 }

        case .notRated:
            f.count(service(of: e)) { $0.notRated += 1 }

        case .caseOpened:
            // The case's state comes from beyond the day (`ReportFold.add`); the day only says
            // which cases it opened.
            if let ref = e.caseRef, openedRefs.insert(ref).inserted { f.openedCases.append(ref) }

        case .caseAssigned, .caseContacted, .caseResolved, .caseClosed, .caseReopened, .caseEscalated,
             .caseAlertAcknowledged, .caseContactAsked, .caseContactGiven, .caseContactSkipped, .caseContactViewed,
             .caseContactErased, .caseResidentNotified, .caseCallback:
            break

        case .careAlertRaised:
            f.careRaised += 1
            let id = careID(e)
            if careRaisedAt[id] == nil { careRaisedAt[id] = e.time }

        case .carePredicted:
            f.carePredicted += 1

        case .careAcknowledged:
            f.careAcknowledged += 1
            if let raised = careRaisedAt.removeValue(forKey: careID(e)) {
                f.careDelays.add(ReportSeconds.between(raised, e.time))
            }

        case .staffLoggedIn:
            if let n = e.counter, let s = e.staff { counterStaff[n] = s }
        case .staffLoggedOut:
            if let n = e.counter { counterStaff[n] = nil }

        case .dayClosed:
            f.closed = true

        case .ticketRecalled, .farewellShown, .farewellEnded, .staffLoginFailed, .counterOpened, .counterPaused,
             .counterClosed, .weatherSet, .printerFailed, .printerRecovered, .eventsLost:
            break
        }
    }

    /// Tickets issued and never called: walk-outs once their day is over (`ReportFold.add`).
    func finish(_ f: inout ReportDayFold) {
        for label in ticketOrder {
            guard let t = tickets[label], t.issuedAt != nil, t.firstCalledAt == nil else { continue }
            f.uncalled += 1
            if let s = t.service { f.uncalledByService[s, default: 0] += 1 }
        }
    }
}
