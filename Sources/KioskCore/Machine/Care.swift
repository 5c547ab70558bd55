import Foundation

/// Care for long waits: a ticket past its service's target raises one alert, shown at the
/// counters that serve it (and as an apology in the lobby) until a counter acknowledges it (*).
extension KioskMachine {
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
