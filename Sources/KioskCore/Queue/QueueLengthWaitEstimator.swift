#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `estimator = ql`, the textbook queue-length estimator (Ibrahim & Whitt 2009), kept for
/// comparison: (n + 1) / (s·μ) with n people ahead in the ticket's own line, s open counters
/// serving the service and 1/μ the mean occupancy (call → finish) over all of the service's
/// history (the configured typical time until there is some). The range is the M/M/s delay's
/// spread, ±1/√(n + 1) of the point.
public struct QueueLengthWaitEstimator: WaitEstimator, Equatable {
    /// Sum and count of occupancy seconds per service, over all history.
    public private(set) var totals: [String: (seconds: Double, visits: Int)] = [:]
    public let services: [String: ServiceConfig]

    public init(services: [ServiceConfig]) {
        self.services = Dictionary(services.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.services == b.services && a.totals.count == b.totals.count
            && a.totals.allSatisfy { k, v in b.totals[k].map { $0.seconds == v.seconds && $0.visits == v.visits } ?? false }
    }

    public mutating func observe(_ event: KioskEvent, in state: QueueState) {
        guard event.type == .serviceFinished, let label = event.ticket, let t = state.tickets[label],
              let called = t.lastCalledAt ?? t.firstCalledAt else { return }
        let old = totals[t.service] ?? (0, 0)
        totals[t.service] = (old.seconds + max(0, event.time.timeIntervalSince(called)), old.visits + 1)
    }

    /// Mean occupancy minutes of a service (1/μ).
    public func meanServiceMinutes(_ service: ServiceConfig) -> Double {
        guard let t = totals[service.id], t.visits > 0 else { return Double(service.typicalServiceMinutes) }
        return t.seconds / Double(t.visits) / 60
    }

    public func estimate(_ question: WaitQuestion, state: QueueState, now: Date) -> WaitEstimate {
        guard let (id, ahead) = state.serviceAndAhead(question), let service = services[id] else {
            return WaitEstimate(low: 0, high: 0, point: 0, countersOpen: true, noWait: true)
        }
        let counters = state.openCounters(serving: id)
        let point = Double(ahead + 1) * meanServiceMinutes(service) / Double(max(counters, 1))
        let spread = point / Double(ahead + 1).squareRoot()
        let low = max(0, Int((point - spread).rounded(.down)))
        return WaitEstimate(low: low, high: max(low + 1, Int((point + spread).rounded(.up))), point: point,
                            countersOpen: counters > 0, noWait: state.counterFreeNow(for: question))
    }
}
