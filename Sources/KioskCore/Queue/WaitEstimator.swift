import Foundation

/// An estimate of the wait for one person, in minutes: a range, shown as "about low–high min"
/// and stored on the ticket so reports can say how often the promise was kept.
public struct WaitEstimate: Equatable, Sendable {
    public var low: Int
    public var high: Int
    /// False when no counter serving the service is open: the range assumes one will open.
    public var countersOpen: Bool
    public init(low: Int, high: Int, countersOpen: Bool) {
        self.low = low; self.high = high; self.countersOpen = countersOpen
    }
}

/// How the kiosk estimates waits: the seam for swapping and comparing estimators. The machine
/// owns one (`KioskMachine.estimator`), chosen by `estimator =` in `[kiosk]`. It is fed every
/// event the machine applies, in order, live and on replay alike (after `QueueState` has applied
/// it, so `state` already shows the event's effect), and asked for an estimate whenever a screen
/// or a ticket needs one. Implementations are values: the machine is copied and restored as a
/// whole when a commit fails, so an estimator must keep all it learns in its own stored
/// properties and do no I/O.
///
/// To add one: a type conforming to this protocol and a line in `WaitEstimators.all`.
public protocol WaitEstimator: Sendable {
    /// Learns from one applied event.
    mutating func observe(_ event: KioskEvent, in state: QueueState)
    /// The wait for someone with `ahead` people before them in `service`'s line.
    func estimate(ahead: Int, service: ServiceConfig, state: QueueState) -> WaitEstimate
}

/// The estimators `estimator =` may name, and the one a configuration chose.
public enum WaitEstimators {
    /// Name (as written in kiosk.conf) and how to make it for a configuration. The first is the
    /// default.
    public static let all: [(name: String, make: @Sendable (Configuration) -> any WaitEstimator)] = [
        ("rolling", { RollingWaitEstimator(window: $0.estimateWindow) }),
    ]

    public static var names: [String] { all.map(\.name) }

    /// The configured estimator (the default for a name the parser would have refused).
    public static func make(_ configuration: Configuration) -> any WaitEstimator {
        (all.first { $0.name == configuration.estimator } ?? all[0]).make(configuration)
    }
}
