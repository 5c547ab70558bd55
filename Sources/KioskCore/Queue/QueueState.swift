#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a ticket is in its visit.
public enum TicketStatus: String, Equatable, Sendable, Codable {
    case waiting, called, serving, finished, noShow = "no-show"
}

public struct Ticket: Equatable, Sendable {
    public var label: String
    public var number: Int
    /// The service it waits for now (changes on transfer).
    public var service: String
    public var priority: Bool
    /// Issue time; kept across transfers so a transferred resident keeps their place.
    public var issuedAt: Date
    public var estimateLow: Int
    public var estimateHigh: Int
    public var status: TicketStatus = .waiting
    public var counter: Int?
    public var firstCalledAt: Date?
    public var lastCalledAt: Date?
    public var recalls: Int = 0
    public var startedAt: Date?
    public var finishedAt: Date?
    public var careRaisedAt: Date?
    /// When the forecast said it would pass its target (`care.predicted`), and the whole wait
    /// it predicted, in minutes.
    public var carePredictedAt: Date?
    public var carePredictedMinutes: Int?
    public var careAcknowledged = false
    public var caseRef: String?
    /// The resident's rating (1 = 非常满意 … 4 = 不满意) and its score; nil when not rated.
    public var rating: Int?
    public var score: Int?
    /// nil: not asked yet; true: rated; false: left without rating.
    public var rated: Bool?
    /// The follow-up reason given after a low rating.
    public var reason: String?
}

public enum CounterStatus: String, Equatable, Sendable, Codable {
    case closed, open, paused
}

/// What a counter's rating pad is doing. Derived from events, so it survives a restart.
public enum PadState: Equatable, Sendable {
    case idle
    case awaitingRating(ticket: String, since: Date)
    case awaitingReason(ticket: String, rating: Int, since: Date)
    /// The case opened: a call-back number is asked (`ask-contact = yes`), digits typed on the
    /// keypad, kept by the machine (`CounterUI.contactDigits`), never in an event.
    case awaitingContact(ticket: String, caseRef: String, since: Date)
    case commitment(ticket: String, caseRef: String, since: Date)
    case farewell(message: String, ticket: String?, since: Date)
}

public struct Counter: Equatable, Sendable {
    public var number: Int
    public var services: [String]
    public var status: CounterStatus = .closed
    public var staff: String?
    /// The ticket called to or served at this counter.
    public var current: String?
    public var pad: PadState = .idle
}

public struct CaseRecord: Equatable, Sendable {
    public var ref: String
    public var ticket: String
    public var service: String
    public var openedAt: Date
    public var deadline: Date
    public var reason: String?
}

public struct CalledTicket: Equatable, Sendable {
    public var label: String
    public var counter: Int
}

/// The kiosk's durable state: a pure fold over events (`apply`). Replaying the stored events
/// through `apply` rebuilds it exactly, which is how a restart restores the day's queue. It is
/// the definition of the current state: KioskStorage's SQL projections (what `kioskctl` reads)
/// follow the same rules, checked field by field by FoldEquivalenceTests.
public struct QueueState: Equatable, Sendable {
    public var day: String
    public var tickets: [String: Ticket] = [:]
    /// Issue order of the day's tickets, for stable queue order.
    public var order: [String] = []
    public var counters: [Int: Counter] = [:]
    public var cases: [String: CaseRecord] = [:]
    public var casesToday = 0
    /// Last called tickets, newest first (at most 5).
    public var recentlyCalled: [CalledTicket] = []
    /// Normal tickets called since the last priority ticket (for fair priority ordering).
    public var normalCallsSincePriority: Int
    public var weather: Weather
    public var lastFarewell: String?
    public var farewellsToday = 0
    /// Set after `day.closed`: nothing of the old day remains.
    public var dayClosed = false
    /// Ticket numbers that tickets lost with the storage may have used today (`events.lost`):
    /// per prefix the highest such number, and for prefixes without a known ticket how many
    /// numbers were lost (counted from the first number). Numbering continues above them.
    public var numbersMaybeUsed: [String: Int] = [:]
    public var lostNumbersToday = 0
    /// Why the ticket printer last failed, until it prints again (residents are told to remember
    /// their number; staff see an alert).
    public var printerProblem: String?

    public init(configuration: Configuration, day: String) {
        self.day = day
        self.weather = configuration.weather
        // Start "owed" a priority call, so the first priority ticket goes ahead at once.
        self.normalCallsSincePriority = configuration.normalCallsPerPriority
        for c in configuration.counters {
            counters[c.number] = Counter(number: c.number, services: c.services)
        }
    }

    public func ticketsWaiting(for service: String) -> [Ticket] {
        order.compactMap { tickets[$0] }.filter { $0.status == .waiting && $0.service == service }
            .sorted { ($0.issuedAt, $0.number) < ($1.issuedAt, $1.number) }
    }

    public var waitingTickets: [Ticket] {
        order.compactMap { tickets[$0] }.filter { $0.status == .waiting }
    }

    public func nextNumber(for service: ServiceConfig) -> Int? {
        // By prefix, not current service: a transferred ticket keeps the number it was issued with.
        let used = highestNumber(prefix: service.prefix) ?? service.firstNumber - 1
        let lost = numbersMaybeUsed[service.prefix] ?? service.firstNumber - 1 + lostNumbersToday
        let next = max(used, lost) + 1
        return next <= service.lastNumber ? next : nil
    }

    func highestNumber(prefix: String) -> Int? {
        order.compactMap { tickets[$0] }.filter { Ticket.prefix(of: $0.label) == prefix }.map(\.number).max()
    }

    // MARK: Fold

    /// Applies one stored event. Must stay deterministic: it sees only the event.
    public mutating func apply(_ e: KioskEvent) {
        // The first event after a close belongs to the new business day.
        if e.type != .dayClosed { beginDay(e.day) }
        switch e.type {
        case .ticketIssued:
            guard let label = e.ticket, let service = e.service else { return }
            tickets[label] = Ticket(label: label, number: e.number ?? 0, service: service, priority: e.priority ?? false,
                                    issuedAt: e.time, estimateLow: e.estimateLow ?? 0, estimateHigh: e.estimateHigh ?? 0)
            order.append(label)
        case .ticketCalled:
            guard let label = e.ticket, var t = tickets[label], let n = e.counter else { return }
            t.status = .called
            t.counter = n
            if t.firstCalledAt == nil { t.firstCalledAt = e.time }
            t.lastCalledAt = e.time
            t.recalls = 0
            tickets[label] = t
            counters[n]?.current = label
            normalCallsSincePriority = CallOrder.normalCalls(after: t.priority, since: normalCallsSincePriority)
            recentlyCalled.removeAll { $0.label == label }
            recentlyCalled.insert(CalledTicket(label: label, counter: n), at: 0)
            if recentlyCalled.count > 5 { recentlyCalled.removeLast(recentlyCalled.count - 5) }
        case .ticketRecalled:
            guard let label = e.ticket else { return }
            tickets[label]?.recalls += 1
            tickets[label]?.lastCalledAt = e.time
        case .ticketNoShow:
            guard let label = e.ticket else { return }
            tickets[label]?.status = .noShow
            release(label, counter: e.counter)
        case .ticketTransferred:
            guard let label = e.ticket, let service = e.service else { return }
            tickets[label]?.service = service
            tickets[label]?.status = .waiting
            tickets[label]?.counter = nil
            tickets[label]?.startedAt = nil
            release(label, counter: e.counter)
        case .serviceStarted:
            guard let label = e.ticket else { return }
            tickets[label]?.status = .serving
            tickets[label]?.startedAt = e.time
        case .serviceFinished:
            guard let label = e.ticket, var t = tickets[label] else { return }
            t.status = .finished
            t.finishedAt = e.time
            tickets[label] = t
            release(label, counter: e.counter)
            if let n = e.counter { counters[n]?.pad = .awaitingRating(ticket: label, since: e.time) }
        case .ratingRecorded:
            guard let label = e.ticket, let rating = e.rating else { return }
            tickets[label]?.rating = rating
            tickets[label]?.score = e.score
            tickets[label]?.rated = true
            if let n = e.counter, rating >= 3 { counters[n]?.pad = .awaitingReason(ticket: label, rating: rating, since: e.time) }
        case .ratingReason:
            guard let label = e.ticket else { return }
            if let reason = e.reason { tickets[label]?.reason = reason }
            // With a case already open (an unresolved complaint) the pad goes straight to its commitment.
            guard let n = e.counter, let ref = tickets[label]?.caseRef else { return }
            counters[n]?.pad = .commitment(ticket: label, caseRef: ref, since: e.time)
        case .notRated:
            guard let label = e.ticket else { return }
            tickets[label]?.rating = nil
            tickets[label]?.score = nil
            tickets[label]?.rated = false
        case .ratingMisuse, .staffLoginFailed:
            break
        // A case's life after opening is CaseState's fold (Cases/CaseFold.swift), not the queue's.
        case .caseAssigned, .caseContacted, .caseResolved, .caseClosed, .caseReopened, .caseEscalated, .caseAlertAcknowledged,
             .caseContactViewed, .caseContactErased, .caseResidentNotified, .caseCallback:
            break
        case .caseContactAsked:
            guard let n = e.counter, let label = e.ticket, let ref = e.caseRef else { return }
            counters[n]?.pad = .awaitingContact(ticket: label, caseRef: ref, since: e.time)
        case .caseContactGiven, .caseContactSkipped:
            guard let n = e.counter, case .awaitingContact(let label, let ref, _) = counters[n]?.pad, ref == e.caseRef else { return }
            counters[n]?.pad = .commitment(ticket: label, caseRef: ref, since: e.time)
        case .printerFailed:
            printerProblem = e.detail ?? "printer"
        case .printerRecovered:
            printerProblem = nil
        case .eventsLost:
            // Each lost event may have issued one ticket of any service: every prefix skips that many.
            guard let n = e.number, n > 0 else { return }
            for prefix in Set(order.map { Ticket.prefix(of: $0) }).union(numbersMaybeUsed.keys) {
                numbersMaybeUsed[prefix] = max(highestNumber(prefix: prefix) ?? 0, numbersMaybeUsed[prefix] ?? 0) + n
            }
            lostNumbersToday += n
        case .caseOpened:
            guard let ref = e.caseRef, let label = e.ticket else { return }
            // Service and reason default to the ticket's: the reason was given on the rating pad.
            cases[ref] = CaseRecord(ref: ref, ticket: label, service: e.service ?? tickets[label]?.service ?? "", openedAt: e.time,
                                    deadline: e.deadline ?? e.time, reason: e.reason ?? tickets[label]?.reason)
            tickets[label]?.caseRef = ref
            casesToday += 1
            if let n = e.counter, case .awaitingReason = counters[n]?.pad {
                counters[n]?.pad = .commitment(ticket: label, caseRef: ref, since: e.time)
            }
        case .carePredicted:
            guard let label = e.ticket else { return }
            tickets[label]?.carePredictedAt = e.time
            tickets[label]?.carePredictedMinutes = e.estimateSeconds.map { Int((Double($0) / 60).rounded(.up)) }
        case .careAlertRaised:
            guard let label = e.ticket else { return }
            tickets[label]?.careRaisedAt = e.time
        case .careAcknowledged:
            guard let label = e.ticket else { return }
            tickets[label]?.careAcknowledged = true
        case .farewellShown:
            lastFarewell = e.message
            farewellsToday += 1
            if let n = e.counter { counters[n]?.pad = .farewell(message: e.message ?? "", ticket: e.ticket, since: e.time) }
        case .farewellEnded:
            if let n = e.counter, case .farewell = counters[n]?.pad { counters[n]?.pad = .idle }
        case .staffLoggedIn:
            // A login opens the counter and a logout closes it (kioskd also records counter.opened
            // and counter.closed with them).
            guard let n = e.counter else { return }
            counters[n]?.staff = e.staff
            counters[n]?.status = .open
        case .staffLoggedOut:
            guard let n = e.counter else { return }
            counters[n]?.staff = nil
            counters[n]?.status = .closed
        case .counterOpened:
            if let n = e.counter { counters[n]?.status = .open }
        case .counterPaused:
            if let n = e.counter { counters[n]?.status = .paused }
        case .counterClosed:
            if let n = e.counter { counters[n]?.status = .closed }
        case .weatherSet:
            if let w = e.weather { weather = w }
        case .dayClosed:
            tickets = [:]
            order = []
            recentlyCalled = []
            casesToday = 0
            farewellsToday = 0
            numbersMaybeUsed = [:]
            lostNumbersToday = 0
            for n in counters.keys {
                counters[n]?.current = nil
                counters[n]?.pad = .idle
            }
            dayClosed = true
        }
    }

    /// The ticket left its counter (finished, no-show, transferred): the event's counter, or any
    /// counter when the event names none, stops showing it — unless it already shows another.
    private mutating func release(_ label: String, counter: Int?) {
        for (n, c) in counters where c.current == label && (counter == nil || counter == n) {
            counters[n]?.current = nil
        }
    }

    /// The one place a business day begins: once the old day is closed (`day.closed`), the state
    /// belongs to `day`: on replay the day of the next event, live the clock's business day when
    /// the machine passes `business-day-start` (`KioskMachine.rollOver`). Before the close it
    /// changes nothing.
    public mutating func beginDay(_ day: String) {
        guard dayClosed else { return }
        self.day = day
        dayClosed = false
    }
}

extension Ticket {
    /// "A023" → "A".
    static func prefix(of label: String) -> String { String(label.prefix { $0.isLetter }) }

    /// Minutes waited so far (or until first call).
    public func waitedMinutes(now: Date) -> Int {
        Int(((firstCalledAt ?? now).timeIntervalSince(issuedAt) / 60).rounded(.down))
    }
}
