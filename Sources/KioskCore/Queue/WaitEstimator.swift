import Foundation

/// Honest wait estimates: rolling occupancy time per service (first call → finish, the last
/// `estimateWindow` visits; the configured typical time until there is history) times the people
/// ahead, shared among the open counters serving the service. Shown as a 5-minute range; the
/// range is stored on the ticket so reports can say how often the promise was kept.
public struct WaitEstimate: Equatable, Sendable {
    public var low: Int
    public var high: Int
    /// False when no counter serving the service is open: the range assumes one will open.
    public var countersOpen: Bool
}

public enum WaitEstimator {
    /// Average occupancy minutes for a service.
    public static func averageServiceMinutes(_ service: ServiceConfig, in state: QueueState) -> Double {
        guard let times = state.serviceTimes[service.id], !times.isEmpty else { return Double(service.typicalServiceMinutes) }
        return times.reduce(0, +) / Double(times.count) / 60
    }

    public static func openCounters(serving service: String, in state: QueueState) -> Int {
        state.counters.values.filter { $0.status == .open && $0.staff != nil && $0.services.contains(service) }.count
    }

    /// The estimate for someone with `ahead` people before them in `service`'s line.
    public static func estimate(ahead: Int, service: ServiceConfig, state: QueueState) -> WaitEstimate {
        let counters = openCounters(serving: service.id, in: state)
        let minutes = Double(ahead) * averageServiceMinutes(service, in: state) / Double(max(counters, 1))
        let low = Int((minutes / 5).rounded(.down)) * 5
        return WaitEstimate(low: low, high: low + 5, countersOpen: counters > 0)
    }

    /// People ahead of a new ticket: a priority ticket only waits behind other priority tickets.
    public static func aheadOfNewTicket(service: String, priority: Bool, state: QueueState) -> Int {
        let waiting = state.ticketsWaiting(for: service)
        return priority ? waiting.filter(\.priority).count : waiting.count
    }

    /// People still ahead of a waiting ticket.
    public static func ahead(of ticket: Ticket, state: QueueState) -> Int {
        let waiting = state.ticketsWaiting(for: ticket.service)
        guard let index = waiting.firstIndex(where: { $0.label == ticket.label }) else { return 0 }
        if ticket.priority { return waiting[..<index].filter(\.priority).count }
        return index
    }
}

/// Fair priority ordering: a priority ticket goes ahead, but while both kinds wait at most one
/// priority ticket is called for every `normalCallsPerPriority` normal ones (0: priority always first).
public enum CallOrder {
    public static func next(for counter: Counter, state: QueueState, normalCallsPerPriority: Int) -> Ticket? {
        let waiting = state.waitingTickets.filter { counter.services.contains($0.service) }
            .sorted { ($0.issuedAt, $0.label) < ($1.issuedAt, $1.label) }
        let oldestPriority = waiting.first(where: \.priority)
        let oldestNormal = waiting.first(where: { !$0.priority })
        switch (oldestPriority, oldestNormal) {
        case (nil, nil): return nil
        case (let p?, nil): return p
        case (nil, let n?): return n
        case (let p?, let n?):
            return state.normalCallsSincePriority >= normalCallsPerPriority ? p : n
        }
    }
}
