import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// kiosk-central's escalation task (one per process; any number of processes may share a
/// database). It wakes at the earliest `cases.next_escalation_at` (at least every
/// `recheckSeconds`), and for each due case records one `case.escalated` event per threshold
/// reached (`CaseEscalations.due`), folds it, and queues one notification for it.
///
/// Exactly once across processes: the event's source `escalation:<site>:<ref>:<level>` is unique,
/// and the task takes the site's case lock and claims due rows with `FOR UPDATE SKIP LOCKED`,
/// so a second process finds the rows already moved on (or, at worst, a duplicate source that
/// changes nothing). The clock is injected: `escalateDue(at:)` is the whole decision at a time.
public struct CaseEscalator: Sendable {
    public let store: CentralStore
    public let now: @Sendable () -> Date
    /// The slow re-check: new cases and changed deadlines are seen within this many seconds.
    public static let recheckSeconds = 60.0
    /// `--escalate-share`'s default (`CaseEscalations.defaultShare`, 75 %).
    public static let defaultShare = CaseEscalations.defaultShare
    /// After a failed pass (database unreachable, schema not migrated yet).
    static let retrySeconds = 5.0

    public init(store: CentralStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.now = now
    }

    var logger: Logger { store.logger }

    /// Escalates every case due at `now`; returns how many `case.escalated` events it recorded.
    @discardableResult
    public func escalateDue(at now: Date) async throws -> Int {
        var sites: [String] = []
        for try await site in try await store.client.query(
            "SELECT DISTINCT site_id FROM cases WHERE next_escalation_at <= \(now) ORDER BY site_id", logger: logger
        ).decode(String.self) { sites.append(site) }
        var total = 0
        for site in sites {
            let recorded = try await escalate(site: site, at: now)
            if recorded > 0 { await store.queueCaseSync(site: site) }
            total += recorded
        }
        return total
    }

    /// One site's due cases in one transaction.
    func escalate(site: String, at now: Date) async throws -> Int {
        let share = store.escalationShare
        let time = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
        return try await store.transaction { conn in
            try await store.lockSiteCases(conn, site: site)
            var due: [(String, String)] = []
            for try await row in try await conn.query(
                """
                SELECT ref, state::text FROM cases WHERE site_id = \(site) AND next_escalation_at <= \(now)
                ORDER BY next_escalation_at, ref LIMIT 500 FOR UPDATE SKIP LOCKED
                """, logger: logger
            ).decode((String, String).self) { due.append(row) }
            var recorded = 0
            for (ref, text) in due {
                var state = try store.decodeState(text)
                for threshold in CaseEscalations.due(state, share: share, now: now) {
                    var e = KioskEvent(.caseEscalated, at: time, day: state.day)
                    e.caseRef = ref
                    e.level = threshold.level
                    e.deadline = threshold.deadline
                    e.station = "centre"
                    let outcome = try await store.recordCaseEvent(
                        conn, CaseEventRecord(site: site, ref: ref, source: "escalation:\(site):\(ref):\(threshold.level)", event: e, kiosk: nil))
                    guard case .applied(let after, _) = outcome else { continue }
                    state = after
                    recorded += 1
                    try await conn.query(
                        """
                        INSERT INTO notifications (site_id, ref, level, deadline, next_attempt_at)
                        VALUES (\(site), \(ref), \(threshold.level), \(threshold.deadline), \(now))
                        ON CONFLICT (site_id, ref, level) DO NOTHING
                        """, logger: logger)
                }
                // Whatever happened, the row's next time is what its state says now (a share
                // changed between runs, say), so a case is never picked up again for nothing.
                try await conn.query(
                    """
                    UPDATE cases SET next_escalation_at = \(CaseEscalations.next(state, share: share))
                    WHERE site_id = \(site) AND ref = \(ref)
                    """, logger: logger)
            }
            return recorded
        }
    }

    /// When the next case is due (nil: none is).
    public func nextDue() async throws -> Date? {
        for try await d in try await store.client.query(
            "SELECT min(next_escalation_at) FROM cases", logger: logger
        ).decode(Date?.self) { return d }
        return nil
    }

    /// How long to sleep before the next pass: until the next due case, at most
    /// `recheckSeconds`, at least half a second.
    public static func sleepSeconds(nextDue: Date?, now: Date) -> Double {
        DueWork.sleepSeconds(nextDue: nextDue, now: now, recheckSeconds: recheckSeconds)
    }

    /// Runs until cancelled. A failing database is logged and tried again at the next wake.
    public func run() async {
        await DueWork.run("escalation pass", logger: logger, wake: store.wakes.escalator, now: now,
                          recheckSeconds: Self.recheckSeconds, retrySeconds: Self.retrySeconds) {
            let n = try await escalateDue(at: now())
            if n > 0 {
                logger.info("escalated cases", metadata: ["events": "\(n)"])
                store.wakes.notifier.signal()
            }
            return try await nextDue()
        }
    }
}
