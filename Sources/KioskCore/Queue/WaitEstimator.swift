#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An estimate of the wait for one person, in minutes: a range, shown as "about low–high min"
/// and stored on the ticket (with `point`) so reports can say how often the promise was kept and
/// how far off the estimate was.
public struct WaitEstimate: Equatable, Sendable {
    public var low: Int
    public var high: Int
    /// The estimator's central figure in minutes (what the error of an estimate is measured on);
    /// the range is shown to residents, this is kept for the reports.
    public var point: Double
    /// False when no counter serving the service is open: the range assumes one will open.
    public var countersOpen: Bool
    /// A counter that serves this is free right now and nobody it would call first is waiting:
    /// the lobby says "无需等候" instead of a range. Never true merely because the line is empty.
    public var noWait: Bool
    public init(low: Int, high: Int, point: Double, countersOpen: Bool, noWait: Bool = false) {
        self.low = low; self.high = high; self.point = point; self.countersOpen = countersOpen; self.noWait = noWait
    }
}

/// Whose wait is asked about.
public enum WaitQuestion: Hashable, Sendable {
    /// A ticket about to be issued now for `service`: it joins the end of its line (a priority
    /// ticket, the end of the priority tickets).
    case newTicket(service: String, priority: Bool)
    /// A ticket already waiting, by label ("A023"): how much longer until it is called.
    case waiting(label: String)
}

/// How the kiosk estimates waits: the seam for swapping and comparing estimators. The machine
/// owns one (`KioskMachine.estimator`), chosen by `estimator =` in `[kiosk]`. It is fed every
/// event the machine applies, in order, live and on replay alike (after `QueueState` has applied
/// it, so `state` already shows the event's effect), and asked for an estimate whenever a screen
/// or a ticket needs one. Implementations are values: the machine is copied and restored as a
/// whole when a commit fails, so an estimator must keep all it learns in its own stored
/// properties and do no I/O. `estimate` must be deterministic (same learned values, state,
/// question and `now` → same estimate): screens are redrawn from it and tests compare them.
///
/// To add one: a type conforming to this protocol and a line in `WaitEstimators.all`.
public protocol WaitEstimator: Sendable {
    /// Learns from one applied event.
    mutating func observe(_ event: KioskEvent, in state: QueueState)
    /// The remaining wait, from `now`, of the person `question` names. A question about a ticket
    /// that is not waiting (or an unknown service) answers a zero wait.
    func estimate(_ question: WaitQuestion, state: QueueState, now: Date) -> WaitEstimate
    /// The remaining wait of every waiting ticket, by label (the proactive care alert asks this
    /// every half minute). Exact up to `horizon` seconds from now; beyond it an estimate may
    /// only say "later than the horizon". By default one `estimate` each; a simulating
    /// estimator answers all from one run.
    func estimatesForWaiting(state: QueueState, now: Date, horizon: TimeInterval) -> [String: WaitEstimate]
}

extension WaitEstimator {
    public func estimatesForWaiting(state: QueueState, now: Date, horizon: TimeInterval) -> [String: WaitEstimate] {
        Dictionary(state.waitingTickets.map { ($0.label, estimate(.waiting(label: $0.label), state: state, now: now)) },
                   uniquingKeysWith: { a, _ in a })
    }
}

/// The estimators `estimator =` may name, and the one a configuration chose.
public enum WaitEstimators {
    /// Name (as written in kiosk.conf) and how to make it for a configuration. The first is the
    /// default.
    public static let all: [(name: String, make: @Sendable (Configuration) -> any WaitEstimator)] = [
        ("forecast", { ForecastWaitEstimator(configuration: $0) }),
        ("rolling", { RollingWaitEstimator(window: $0.estimateWindow, services: $0.services) }),
        ("ql", { QueueLengthWaitEstimator(services: $0.services) }),
    ]

    public static var names: [String] { all.map(\.name) }

    /// The configured estimator (the default for a name the parser would have refused).
    public static func make(_ configuration: Configuration) -> any WaitEstimator {
        (all.first { $0.name == configuration.estimator } ?? all[0]).make(configuration)
    }
}
