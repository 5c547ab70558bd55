#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where people stand in the queue: facts every estimator and screen share.
extension QueueState {
    /// Counters open, staffed and serving `service`.
    public func openCounters(serving service: String) -> Int {
        counters.values.filter { $0.status == .open && $0.staff != nil && $0.services.contains(service) }.count
    }

    /// People ahead of a new ticket: a priority ticket only waits behind other priority tickets.
    public func aheadOfNewTicket(service: String, priority: Bool) -> Int {
        let waiting = ticketsWaiting(for: service)
        return priority ? waiting.filter(\.priority).count : waiting.count
    }

    /// People still ahead of a waiting ticket.
    public func ahead(of ticket: Ticket) -> Int {
        let waiting = ticketsWaiting(for: ticket.service)
        guard let index = waiting.firstIndex(where: { $0.label == ticket.label }) else { return 0 }
        if ticket.priority { return waiting[..<index].filter(\.priority).count }
        return index
    }
}

extension Ticket {
    /// When the promise printed on the ticket falls due (issue time + the range's high end), while
    /// it is at stake: nil once the ticket has been called (a transferred ticket's promise was
    /// judged at its first call, as the reports count it).
    public var promiseDeadline: Date? {
        firstCalledAt == nil ? issuedAt.addingTimeInterval(Double(estimateHigh) * 60) : nil
    }
}

/// Fair priority ordering: a priority ticket goes ahead, but while both kinds wait at most one
/// priority ticket is called for every `normalCallsPerPriority` normal ones (0: priority always
/// first). With `keep-promises` a priority ticket does not go ahead of a normal ticket issued
/// before it whose promise is due, and due before the priority ticket's own (`promiseDue`): the
/// oldest such is called instead, so the wait printed on a ticket is not broken by a later
/// arrival the estimate could not know about.
/// The one definition of the call rule: counters call with `next`, and the forecasting estimator's
/// forward simulation (`ForecastSimulation`) calls `choose`, `promiseDue` and `normalCalls(after:)`
/// on its own copy of the line, so a forecast cannot drift from what counters really do.
public enum CallOrder {
    public static func next(for counter: Counter, state: QueueState, configuration: Configuration, now: Date) -> Ticket? {
        let waiting = state.waitingTickets.filter { counter.services.contains($0.service) }
            .sorted { ($0.issuedAt, $0.label) < ($1.issuedAt, $1.label) }
        let oldestPriority = waiting.first(where: \.priority)
        return choose(oldestPriority: oldestPriority, oldestNormal: waiting.first(where: { !$0.priority }),
                      normalCallsSincePriority: state.normalCallsSincePriority, normalCallsPerPriority: configuration.normalCallsPerPriority) {
            // The normal tickets issued before the oldest priority one are those before it in line.
            guard let margin = configuration.promiseMargin, let p = oldestPriority else { return nil }
            let own = p.promiseDeadline.map { $0.timeIntervalSince(now) } ?? .infinity
            return waiting.prefix(while: { !$0.priority }).first { t in
                t.promiseDeadline.map { promiseDue(deadline: $0.timeIntervalSince(now), before: own, at: 0, margin: margin) } ?? false
            }
        }
    }

    /// Which of the oldest priority and the oldest normal ticket a counter serves it calls. When
    /// the ratio gives the priority ticket, `duePromise` is asked for a normal ticket issued before
    /// it whose promise is due (nil: none, or promises are not kept), which goes first instead.
    @inlinable
    public static func choose<T>(oldestPriority: T?, oldestNormal: T?, normalCallsSincePriority: Int, normalCallsPerPriority: Int,
                                 duePromise: () -> T? = { nil }) -> T? {
        switch (oldestPriority, oldestNormal) {
        case (nil, nil): return nil
        case (let p?, nil): return p
        case (nil, let n?): return n
        case (let p?, let n?):
            return normalCallsSincePriority >= normalCallsPerPriority ? duePromise() ?? p : n
        }
    }

    /// A normal ticket's promise falling due at `deadline` is due, against a priority ticket whose
    /// own promise falls due at `priorityDeadline`, for a call made at `time` (all seconds from
    /// the same origin) when it would be broken within `margin` seconds (calling the priority
    /// ticket first would hold the counter about a visit longer) and falls due first: a priority
    /// resident's own promise is not given up for a normal one (without this, on a bad day a
    /// priority resident was held behind a whole line of late normal tickets, up to 82 minutes).
    @inlinable
    public static func promiseDue(deadline: Double, before priorityDeadline: Double, at time: Double, margin: Double) -> Bool {
        deadline < priorityDeadline && deadline <= time + margin
    }

    /// Normal tickets called since the last priority ticket, after calling one.
    @inlinable
    public static func normalCalls(after calledPriority: Bool, since count: Int) -> Int { calledPriority ? 0 : count + 1 }
}

/// The facts behind a `WaitQuestion`, shared by every estimator.
extension QueueState {
    /// The service the question is about and how many people are ahead in its own line; nil
    /// when the question names a ticket that is not waiting.
    public func serviceAndAhead(_ question: WaitQuestion) -> (service: String, ahead: Int)? {
        switch question {
        case .newTicket(let service, let priority):
            return (service, aheadOfNewTicket(service: service, priority: priority))
        case .waiting(let label):
            guard let t = tickets[label], t.status == .waiting else { return nil }
            return (t.service, ahead(of: t))
        }
    }

    /// Counters open, staffed and with nobody at them now (called or being served).
    public func freeCounters(serving service: String) -> [Counter] {
        counters.values.filter { $0.status == .open && $0.staff != nil && $0.current == nil && $0.services.contains(service) }
            .sorted { $0.number < $1.number }
    }

    /// True when the person the question names would be called at once: a free counter serves
    /// their service and nobody that counter would call first is waiting. (A ticket that is
    /// waiting always has itself in line, so for `.waiting` only the others count.)
    public func counterFreeNow(for question: WaitQuestion) -> Bool {
        let service: String, own: String?
        switch question {
        case .newTicket(let s, _): service = s; own = nil
        case .waiting(let label):
            guard let t = tickets[label], t.status == .waiting else { return false }
            service = t.service; own = label
        }
        return freeCounters(serving: service).contains { counter in
            !waitingTickets.contains { $0.label != own && counter.services.contains($0.service) }
        }
    }
}
