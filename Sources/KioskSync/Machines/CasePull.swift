#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskProtocol

/// # Pulling the site's case states down
///
/// Pure, like the others: the driver fetches (`GET /v1/cases?after=`), stores and tells the
/// daemon, and feeds each result back; the clock and the jitter come in as arguments.
///
/// Rules (docs/central.md, "Cases pulled down"):
/// - a pull starts whenever a drain of the outbox ends caught up (every sync cycle, and right
///   after the kiosk's own events reached the centre) and after every `sync` (IT's command —
///   the centre queues one after each desk action, so a kiosk learns within seconds — or
///   `kioskctl sync`), whatever that drain's outcome;
/// - it asks after the stored cursor; a reply is stored with its cursor in one transaction
///   before anything else, and while the reply says `more` the next page is asked at once;
/// - a failure is retried after a jittered backoff (full jitter, capped; a refusal waits the
///   cap); caught-up drains do not cut a backoff short, a `sync` command does;
/// - one pull at a time: a request while one is under way makes one more pull after it.
public struct CasePull: Sendable {
    public enum Action: Equatable, Sendable {
        /// `GET /v1/cases?after=&limit=`; call `fetched` or `failed`.
        case fetch(after: Int64, limit: Int)
        /// Store the reply's states and cursor in one transaction, hand the states to the
        /// daemon's loop, then call `stored` (or `failed` when the store refused).
        case store(CasesReply)
        /// A line for the log.
        case log(String)
    }

    /// States per page (the centre allows 1…500).
    public let limit: Int
    /// Longest pause after failures.
    public let backoffCap: TimeInterval
    /// The change number the next fetch asks after: the stored cursor.
    public private(set) var cursor: Int64
    /// Consecutive failures (0 after a stored reply), and the last one's message.
    public private(set) var failures = 0
    public private(set) var lastError: String?
    private var busy = false
    private var again = false
    private var retryAt: Date?

    public static let defaultLimit = 200

    /// `cursor` is the stored one (`EventStore.pulledCasesCursor()`): a restart resumes there.
    public init(cursor: Int64, limit: Int = CasePull.defaultLimit, backoffCap: TimeInterval = 300) {
        self.cursor = max(0, cursor)
        self.limit = min(max(1, limit), 500)
        self.backoffCap = backoffCap
    }

    /// When the machine next wants `tick` (a retry after a failure); nil while a pull is under way.
    public var deadline: Date? { busy ? nil : retryAt }

    /// A drain of the outbox ended with everything acknowledged: pull, unless a failure's
    /// backoff is still running (an unreachable centre is not asked on every stored event).
    public mutating func outboxCaughtUp(now: Date) -> [Action] {
        if busy {
            again = true
            return []
        }
        if let retryAt, now < retryAt { return [] }
        return fetch()
    }

    /// IT's `sync` command: pull now, whatever the backoff.
    public mutating func syncRequested(now: Date) -> [Action] {
        if busy {
            again = true
            return []
        }
        return fetch()
    }

    public mutating func tick(now: Date) -> [Action] {
        guard !busy, let retryAt, now >= retryAt else { return [] }
        return fetch()
    }

    /// The centre answered: store it before anything else.
    public mutating func fetched(_ reply: CasesReply, now: Date) -> [Action] {
        guard busy else { return [] }
        return [.store(reply)]
    }

    /// The reply is stored (states and cursor): ask for the next page while there is more. A
    /// reply that says `more` without moving the cursor is a centre bug: not asked again at
    /// once (no busy loop), but at the next sync.
    public mutating func stored(_ reply: CasesReply, now: Date) -> [Action] {
        guard busy else { return [] }
        busy = false
        retryAt = nil
        var actions: [Action] = []
        if failures > 0 { actions.append(.log("sync: case states are pulled from the centre again")) }
        failures = 0
        lastError = nil
        let before = cursor
        cursor = max(cursor, reply.next)
        if reply.more {
            if cursor > before { return actions + fetch() }
            actions.append(.log("sync: the centre said more case states wait after change \(reply.next) but sent none newer; asking again at the next sync"))
        }
        if again { return actions + fetch() }
        return actions
    }

    /// The fetch or the store failed: retry after a jittered backoff (`jitter` in [0, 1));
    /// `transient` false (a refusal, a bad setting) waits the cap. The first failure of a
    /// series is logged; the rest are not, so a centre without `/v1/cases` does not fill the log.
    public mutating func failed(_ error: String, transient: Bool, now: Date, jitter: Double) -> [Action] {
        guard busy else { return [] }
        busy = false
        again = false
        failures += 1
        lastError = error
        let delay = transient ? SyncMachine.backoffDelay(failures: failures, base: 1, cap: backoffCap, jitter: jitter) : backoffCap
        retryAt = now.addingTimeInterval(max(delay, 0.5))
        return failures == 1 ? [.log("sync: cannot pull the case states: \(error)")] : []
    }

    private mutating func fetch() -> [Action] {
        busy = true
        again = false
        retryAt = nil
        return [.fetch(after: cursor, limit: limit)]
    }
}
