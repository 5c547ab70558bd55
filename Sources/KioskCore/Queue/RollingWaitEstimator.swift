#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `estimator = rolling`, the first estimator: honest and simple. The rolling occupancy time per
/// service (first call → finish, over the last `estimate-window` visits; the configured typical
/// time until there is history) times the people ahead, shared among the open counters serving
/// the service; shown as a 5-minute range.
public struct RollingWaitEstimator: WaitEstimator, Equatable {
    /// Visits averaged per service.
    public let window: Int
    /// Recent occupancy times per service, newest last, in seconds.
    public private(set) var serviceTimes: [String: [Double]] = [:]

    /// Each service's configured typical time (`typical-minutes`), used until it has history.
    public let services: [String: ServiceConfig]

    public init(window: Int, services: [ServiceConfig]) {
        self.window = window
        self.services = Dictionary(services.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public mutating func observe(_ event: KioskEvent, in state: QueueState) {
        guard event.type == .serviceFinished, let label = event.ticket, let t = state.tickets[label],
              let called = t.firstCalledAt else { return }
        var times = serviceTimes[t.service, default: []]
        times.append(event.time.timeIntervalSince(called))
        if times.count > window { times.removeFirst(times.count - window) }
        serviceTimes[t.service] = times
    }

    /// Average occupancy minutes for a service.
    public func averageServiceMinutes(_ service: ServiceConfig) -> Double {
        guard let times = serviceTimes[service.id], !times.isEmpty else { return Double(service.typicalServiceMinutes) }
        return times.reduce(0, +) / Double(times.count) / 60
    }

    public func estimate(_ question: WaitQuestion, state: QueueState, now: Date) -> WaitEstimate {
        guard let (id, ahead) = state.serviceAndAhead(question), let service = services[id] else {
            return WaitEstimate(low: 0, high: 0, point: 0, countersOpen: true, noWait: true)
        }
        let counters = state.openCounters(serving: service.id)
        let minutes = Double(ahead) * averageServiceMinutes(service) / Double(max(counters, 1))
        let low = Int((minutes / 5).rounded(.down)) * 5
        return WaitEstimate(low: low, high: low + 5, point: minutes, countersOpen: counters > 0,
                            noWait: state.counterFreeNow(for: question))
    }
}
