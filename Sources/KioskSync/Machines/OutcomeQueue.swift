#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// # Command outcomes on their way to the centre
///
/// Pure. Outcomes are stored before they are sent (so one reached while the centre is down is
/// reported after a restart); this machine only decides when to send what is waiting: at
/// start, whenever an outcome is recorded, every minute, and after a failure with a jittered
/// backoff of at most a minute.
public struct OutcomeQueue: Sendable {
    public enum Action: Equatable, Sendable {
        /// Send every unreported outcome, oldest first; call `sent` or `sendFailed`.
        case sendOutcomes
    }

    public static let recheckInterval: TimeInterval = 60
    private var sendAt: Date?
    private var sending = false
    private var failures = 0

    public init() {}

    public var deadline: Date? { sending ? nil : sendAt }

    public mutating func start(now: Date) -> [Action] { send() }

    /// An outcome was stored (or kept in memory): send it now.
    public mutating func outcomeRecorded(now: Date) -> [Action] {
        if sending {
            sendAt = now  // after the round in progress
            return []
        }
        return send()
    }

    public mutating func tick(now: Date) -> [Action] {
        guard !sending, let sendAt, now >= sendAt else { return [] }
        return send()
    }

    /// Everything waiting reached the centre (or was refused for good, which is logged).
    public mutating func sent(now: Date) -> [Action] {
        sending = false
        failures = 0
        if let sendAt, sendAt <= now { return send() }  // recorded while sending
        sendAt = now.addingTimeInterval(Self.recheckInterval)
        return []
    }

    /// The centre could not be reached; `jitter` in [0, 1) (half of it is always waited).
    public mutating func sendFailed(now: Date, jitter: Double) -> [Action] {
        sending = false
        failures += 1
        let delay = SyncMachine.backoffDelay(failures: failures, base: 1, cap: Self.recheckInterval, jitter: 0.5 + jitter / 2)
        sendAt = now.addingTimeInterval(delay)
        return []
    }

    private mutating func send() -> [Action] {
        sending = true
        sendAt = nil
        return [.sendOutcomes]
    }
}
