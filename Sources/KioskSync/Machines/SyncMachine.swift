#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// # The outbox: the kiosk's events on their way to the centre
///
/// Pure decisions, no I/O (swift-nio style: every input returns the action the adapter must
/// perform, and the clock and the jitter come in as arguments). The driver (`SyncWorker`)
/// reads the outbox, uploads, and feeds the results back.
///
/// Rules (see shared/notes/sync.md):
/// - the outbox is every event with `seq > ackedSeq`; batches are at most `batchSize`;
/// - `ackedSeq` moves only on the centre's acknowledgement, never on "sent";
/// - a failure is retried after `random(0, min(cap, base·2^n))` (full jitter), forever;
/// - a caught-up worker waits `interval`, or less when `syncNow()` is called or an event is
///   stored (`eventsAppended()`).
public struct SyncMachine: Sendable {
    public struct Settings: Sendable, Equatable {
        public var batchSize: Int
        public var interval: TimeInterval
        public var backoffBase: TimeInterval
        public var backoffCap: TimeInterval
        public init(batchSize: Int = 500, interval: TimeInterval = 60, backoffBase: TimeInterval = 1, backoffCap: TimeInterval = 300) {
            self.batchSize = max(1, batchSize)
            self.interval = interval
            self.backoffBase = backoffBase
            self.backoffCap = backoffCap
        }
    }

    /// What the adapter must do next.
    public enum Action: Equatable, Sendable {
        /// Read at most `limit` events with seq > `after` and call `outboxRead`.
        case readOutbox(after: Int64, limit: Int)
        /// Upload these seqs (already read) and call `uploadAcknowledged` or `uploadFailed`.
        case upload(firstSeq: Int64, lastSeq: Int64)
        /// Nothing to do until `until` (or `syncNow()`); then call `timerFired`.
        case wait(until: Date)
    }

    /// Why an upload did not advance.
    public enum Failure: Equatable, Sendable {
        /// Network down, timeout, 5xx: retry with backoff.
        case transient(String)
        /// 401/403/4xx: the centre refuses; retry at the cap and tell the operator.
        case refused(String)
    }

    public enum Phase: Equatable, Sendable {
        case waiting(until: Date)
        case reading
        case uploading(firstSeq: Int64, lastSeq: Int64)
    }

    public let settings: Settings
    public private(set) var ackedSeq: Int64
    public private(set) var phase: Phase
    /// Consecutive failures (0 after any acknowledgement).
    public private(set) var failures: Int = 0
    /// Set when a `syncNow()` arrives while an upload is in flight: drain again right after.
    private var again = false
    /// The last drain ended with everything acknowledged (not in a backoff): the moment to
    /// pull the centre's case states (`CasePull.outboxCaughtUp`).
    public private(set) var isCaughtUp = false

    public init(settings: Settings, ackedSeq: Int64, now: Date) {
        self.settings = settings
        self.ackedSeq = ackedSeq
        phase = .waiting(until: now)
    }

    /// The first action after start: read the outbox at once.
    public mutating func start() -> Action { read() }

    /// The wait ended.
    public mutating func timerFired(now: Date) -> Action? {
        guard case .waiting(let until) = phase else { return nil }
        if now < until { return .wait(until: until) }
        return read()
    }

    /// IT or the operator asked for a sync now: skip any wait or backoff.
    public mutating func syncNow() -> Action? {
        switch phase {
        case .waiting:
            failures = 0
            return read()
        case .reading, .uploading:
            again = true
            return nil
        }
    }

    /// An event was stored: send it now if the worker is idle and the centre was answering;
    /// while backing off from a failure it waits for the retry (an unreachable centre is not
    /// hammered by every key press).
    public mutating func eventsAppended() -> Action? {
        switch phase {
        case .waiting:
            guard failures == 0 else { return nil }
            return read()
        case .reading, .uploading:
            again = true
            return nil
        }
    }

    /// When the machine next wants `timerFired` (nil while reading or uploading).
    public var deadline: Date? {
        if case .waiting(let until) = phase { return until }
        return nil
    }

    /// The outbox was read: `seqs` are the seqs found (ascending).
    public mutating func outboxRead(firstSeq: Int64?, lastSeq: Int64?, now: Date) -> Action {
        guard let first = firstSeq, let last = lastSeq else {
            return caughtUp(now: now)
        }
        phase = .uploading(firstSeq: first, lastSeq: last)
        return .upload(firstSeq: first, lastSeq: last)
    }

    /// The centre acknowledged everything up to `ackedSeq`. The centre is authoritative: when it
    /// holds less than we thought (restored from a backup, a new centre), we go back and resend
    /// from its acknowledgement — the kiosk never deletes events, and resending is harmless.
    public mutating func uploadAcknowledged(ackedSeq acked: Int64, now: Date, jitter: Double) -> Action {
        guard case .uploading(let first, let last) = phase else { return .wait(until: now) }
        let before = ackedSeq
        ackedSeq = max(0, acked)
        if acked >= last {
            failures = 0
            return read()
        }
        if acked < first - 1 && acked != before {
            // Rewound by the centre: resend from its acknowledgement at once.
            return read()
        }
        // The batch started right after the centre's acknowledgement and it still did not
        // advance: something is wrong at the centre; retry with backoff.
        return backoff(now: now, jitter: jitter, cap: settings.backoffCap)
    }

    /// The upload failed; nothing advances.
    public mutating func uploadFailed(_ failure: Failure, now: Date, jitter: Double) -> Action {
        switch failure {
        case .transient: return backoff(now: now, jitter: jitter, cap: settings.backoffCap)
        case .refused:
            failures += 1
            phase = .waiting(until: now.addingTimeInterval(settings.backoffCap))
            again = false
            return .wait(until: now.addingTimeInterval(settings.backoffCap))
        }
    }

    /// Reading the local outbox failed (disk error): retry like a transient failure.
    public mutating func outboxFailed(now: Date, jitter: Double) -> Action {
        backoff(now: now, jitter: jitter, cap: settings.backoffCap)
    }

    /// Full jitter: `jitter` in [0, 1) times min(cap, base·2^(failures-1)).
    public static func backoffDelay(failures: Int, base: TimeInterval, cap: TimeInterval, jitter: Double) -> TimeInterval {
        let exponent = min(max(failures - 1, 0), 30)
        let ceiling = min(cap, base * pow(2, Double(exponent)))
        return max(0, min(jitter, 1)) * ceiling
    }

    private mutating func read() -> Action {
        isCaughtUp = false
        phase = .reading
        return .readOutbox(after: ackedSeq, limit: settings.batchSize)
    }

    private mutating func caughtUp(now: Date) -> Action {
        if again {
            again = false
            return read()
        }
        let until = now.addingTimeInterval(settings.interval)
        phase = .waiting(until: until)
        isCaughtUp = true
        return .wait(until: until)
    }

    private mutating func backoff(now: Date, jitter: Double, cap: TimeInterval) -> Action {
        failures += 1
        again = false
        let until = now.addingTimeInterval(
            Self.backoffDelay(failures: failures, base: settings.backoffBase, cap: cap, jitter: jitter))
        phase = .waiting(until: until)
        return .wait(until: until)
    }
}

/// The disk budget for an offline kiosk: events are never dropped; the operator is warned as
/// the unsent backlog fills the budget.
public enum BacklogBudget: Equatable, Sendable {
    case ok
    /// At or above 80 % of the budget.
    case filling(percent: Int)
    /// At or above the budget: still recording, but IT must bring the kiosk online.
    case exceeded(percent: Int)

    public static func assess(backlogBytes: Int64, budgetBytes: Int64) -> BacklogBudget {
        guard budgetBytes > 0 else { return .ok }
        let percent = Int((Double(backlogBytes) * 100 / Double(budgetBytes)).rounded(.down))
        if percent >= 100 { return .exceeded(percent: percent) }
        if percent >= 80 { return .filling(percent: percent) }
        return .ok
    }
}
