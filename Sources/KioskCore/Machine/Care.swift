#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Care for long waits: a ticket past its service's target raises one alert, shown at the
/// counters that serve it (and as an apology in the lobby) until a counter acknowledges it (*).
/// Before that, when the estimator predicts a ticket will pass its target, the counters serving
/// it are told once (`care.predicted`), so staff can act before the resident has waited too long.
extension KioskMachine {
    /// Seconds between forecasts for the proactive alert while nothing happens: waits change
    /// slowly, and a forecast of the whole line is the costliest thing the machine does.
    static let careForecastSeconds = 30.0

    /// Tickets predicted to pass their target, not yet past it, waiting for a service this
    /// counter serves.
    public func carePredictions(for counter: Int) -> [Ticket] {
        guard let c = state.counters[counter] else { return [] }
        return state.waitingTickets.filter { $0.carePredictedAt != nil && $0.careRaisedAt == nil && c.services.contains($0.service) }
            .sorted { $0.issuedAt < $1.issuedAt }
    }

    /// Once per ticket, when the forecast of its whole wait passes its service's target before
    /// it has waited that long. Forecasts all waiting tickets at once, every half minute or when
    /// an event changed the line, never once per ticket per tick.
    mutating func predictCareAlerts(now: Date, into out: inout KioskOutput) {
        if let last = careForecastAt, careForecastEvents == appliedEvents, now.timeIntervalSince(last) < Self.careForecastSeconds { return }
        careForecastAt = now
        defer { careForecastEvents = appliedEvents }
        let candidates = state.waitingTickets.filter { $0.carePredictedAt == nil && $0.careRaisedAt == nil }
        guard !candidates.isEmpty else { return }
        // Far enough ahead to see every candidate pass its target and by how much (the figure
        // staff are shown), no further: the cost stays bounded however long the line.
        let horizon = candidates.map { t in
            Double((configuration.service(t.service)?.targetWaitMinutes ?? 0) * 60) - now.timeIntervalSince(t.issuedAt)
        }.max() ?? 0
        let estimates = estimator.estimatesForWaiting(state: state, now: now, horizon: max(0, horizon) + 20 * 60)
        for t in candidates {
            guard let service = configuration.service(t.service), let e = estimates[t.label] else { continue }
            let target = Double(service.targetWaitMinutes * 60)
            let waited = now.timeIntervalSince(t.issuedAt)
            let predicted = waited + e.point * 60
            guard waited < target, predicted > target else { continue }
            var event = event(.carePredicted, now, ticket: t)
            event.waitedMinutes = t.waitedMinutes(now: now)
            event.estimateSeconds = Int(predicted.rounded())
            record(event, into: &out)
        }
    }

    /// Tickets past their target, not yet acknowledged, waiting for a service this counter serves.
    public func careAlerts(for counter: Int) -> [Ticket] {
        guard let c = state.counters[counter] else { return [] }
        return state.waitingTickets.filter { $0.careRaisedAt != nil && !$0.careAcknowledged && c.services.contains($0.service) }
            .sorted { $0.issuedAt < $1.issuedAt }
    }

    /// Once per ticket, when it passes its service's target.
    mutating func raiseCareAlerts(now: Date, into out: inout KioskOutput) {
        for t in state.waitingTickets where t.careRaisedAt == nil {
            guard let service = configuration.service(t.service) else { continue }
            let waited = t.waitedMinutes(now: now)
            if waited >= service.targetWaitMinutes {
                var e = event(.careAlertRaised, now, ticket: t)
                e.waitedMinutes = waited
                record(e, into: &out)
            }
        }
    }

    mutating func acknowledgeCare(counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let t = careAlerts(for: n).first else { return notice(n, "counter.notice.no-alert", now: now) }
        var e = event(.careAcknowledged, now, counter: n, ticket: t)
        e.waitedMinutes = t.waitedMinutes(now: now)
        record(e, into: &out)
    }
}
