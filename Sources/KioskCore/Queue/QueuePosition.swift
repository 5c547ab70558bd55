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

/// Fair priority ordering: a priority ticket goes ahead, but while both kinds wait at most one
/// priority ticket is called for every `normalCallsPerPriority` normal ones (0: priority always first).
/// The one definition of the call rule: counters call with `next`, and the forecasting estimator's
/// forward simulation (`ForecastSimulation`) calls `choose` and `normalCalls(after:)` on its own
/// copy of the line, so a forecast cannot drift from what counters really do.
public enum CallOrder {
    public static func next(for counter: Counter, state: QueueState, normalCallsPerPriority: Int) -> Ticket? {
        let waiting = state.waitingTickets.filter { counter.services.contains($0.service) }
            .sorted { ($0.issuedAt, $0.label) < ($1.issuedAt, $1.label) }
        return choose(oldestPriority: waiting.first(where: \.priority), oldestNormal: waiting.first(where: { !$0.priority }),
                      normalCallsSincePriority: state.normalCallsSincePriority, normalCallsPerPriority: normalCallsPerPriority)
    }

    /// Which of the oldest priority and the oldest normal ticket a counter serves it calls.
    @inlinable
    public static func choose<T>(oldestPriority: T?, oldestNormal: T?, normalCallsSincePriority: Int, normalCallsPerPriority: Int) -> T? {
        switch (oldestPriority, oldestNormal) {
        case (nil, nil): return nil
        case (let p?, nil): return p
        case (nil, let n?): return n
        case (let p?, let n?):
            return normalCallsSincePriority >= normalCallsPerPriority ? p : n
        }
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
