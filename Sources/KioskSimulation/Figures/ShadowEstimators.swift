import Foundation
import KioskCore

/// Every estimator of `WaitEstimators.all` run beside the kiosk on the same trace: each observes
/// every event the kiosk commits (after a copy of the queue has applied it, as the machine does)
/// and is asked about each new ticket at the same `now` and state as the kiosk's own estimator.
/// The configured one must then answer exactly what the ticket stored (`SimulationError`
/// otherwise): that is what makes the others' figures comparable with it.
struct ShadowEstimators {
    let names: [String]
    var estimators: [any WaitEstimator]
    /// The queue as the events so far build it (what `observe` is given).
    var state: QueueState
    /// Index of the configured estimator in `names`.
    let configured: Int

    init(configuration: Configuration, state: QueueState, only: [String]?) {
        let chosen = WaitEstimators.all.filter { entry in
            only.map { $0.contains(entry.name) } ?? true || entry.name == configuration.estimator
        }
        names = chosen.map(\.name)
        estimators = chosen.map { $0.make(configuration) }
        self.state = state
        configured = names.firstIndex(of: configuration.estimator) ?? 0
    }

    mutating func observe(_ events: [KioskEvent]) {
        for e in events {
            state.apply(e)
            for i in estimators.indices { estimators[i].observe(e, in: state) }
        }
    }

    /// Each estimator's answer for a ticket about to be issued.
    func newTicket(service: String, priority: Bool, state: QueueState, now: Date) -> [WaitEstimate] {
        estimators.map { $0.estimate(.newTicket(service: service, priority: priority), state: state, now: now) }
    }
}
