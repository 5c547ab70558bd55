import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// Runs the queued escalation notifications through `--notify-command`, one at a time per
/// process: each due one is claimed (`FOR UPDATE SKIP LOCKED`, with a lease so another process
/// takes it over only if this one died mid-run), run once, and the attempt recorded in
/// `notification_attempts` (start, end, exit status, output excerpt, error). A failure is
/// retried after a capped, doubling delay until `maxAttempts`, then the notification is
/// `failed`; exit status 0 makes it `sent`. Without a command every due notification is
/// recorded as `skipped`. The clock is injected: `runDue(at:)` is one pass at a time.
public struct Notifier: Sendable {
    public let store: CentralStore
    public let command: NotifyCommand?
    public let maxAttempts: Int
    public let retryBaseSeconds: Double
    public let retryCapSeconds: Double
    public let now: @Sendable () -> Date
    /// The message catalogs residents' messages are worded from (`--catalog-dir`).
    public var catalogs: Catalogs?

    public init(
        store: CentralStore, command: NotifyCommand?, maxAttempts: Int = 5, retryBaseSeconds: Double = 30,
        retryCapSeconds: Double = 900, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.command = command
        self.maxAttempts = max(1, maxAttempts)
        self.retryBaseSeconds = retryBaseSeconds
        self.retryCapSeconds = retryCapSeconds
        self.now = now
    }

    var logger: Logger { store.logger }

    /// The wait before attempt `attempt + 1` after attempt `attempt` (1-based) failed.
    public func retryDelay(afterAttempt attempt: Int) -> Double {
        min(retryCapSeconds, retryBaseSeconds * pow(2, Double(max(0, attempt - 1))))
    }

    /// Runs every notification due at `now` once; returns how many it ran (or skipped).
    @discardableResult
    public func runDue(at now: Date) async throws -> Int {
        guard let command else {
            var skipped: [(String, String, String)] = []
            for try await row in try await store.client.query(
                """
                UPDATE notifications SET status = 'skipped', finished_at = \(now)
                WHERE status = 'queued' AND next_attempt_at <= \(now) AND level LIKE 'resident.%' RETURNING site_id, ref, level
                """, logger: logger
            ).decode((String, String, String).self) { skipped.append(row) }
            for (site, ref, level) in skipped {
                if let step = ResidentStep(level: level) { try await store.recordResidentNotified(site: site, ref: ref, step: step, outcome: "skipped", at: now) }
            }
            let rows = try await store.client.query(
                """
                UPDATE notifications SET status = 'skipped', finished_at = \(now)
                WHERE status = 'queued' AND next_attempt_at <= \(now) RETURNING id
                """, logger: logger)
            var n = 0
            for try await _ in rows.decode(Int64.self) { n += 1 }
            return n
        }
        let lease = now.addingTimeInterval(command.timeout + 60)
        var claimed: [(id: Int64, site: String, ref: String, level: String, deadline: Date?, attempt: Int32, assignee: String?)] = []
        for try await row in try await store.client.query(
            """
            UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = \(lease)
            FROM cases c
            WHERE n.id IN (SELECT id FROM notifications WHERE status = 'queued' AND next_attempt_at <= \(now)
                           ORDER BY next_attempt_at, id LIMIT 20 FOR UPDATE SKIP LOCKED)
              AND c.site_id = n.site_id AND c.ref = n.ref
            RETURNING n.id, n.site_id, n.ref, n.level, n.deadline, n.attempts, c.assignee
            """, logger: logger
        ).decode((Int64, String, String, String, Date?, Int32, String?).self) { claimed.append(row) }
        var configurations = SiteConfigurations(store: store)
        let words = ResidentMessageText(catalogs: catalogs)
        for n in claimed.sorted(by: { $0.id < $1.id }) {
            var phone = "", message = ""
            let step = ResidentStep(level: n.level)
            if let step {
                // A resident's message needs their number: none held (erased, or no key) → skipped.
                guard let number = try await store.contactForMessage(site: n.site, ref: n.ref) else {
                    try await store.client.query(
                        "UPDATE notifications SET status = 'skipped', finished_at = \(now) WHERE id = \(n.id)", logger: logger)
                    try await store.recordResidentNotified(site: n.site, ref: n.ref, step: step, outcome: "skipped", at: now)
                    continue
                }
                phone = number
                message = words.message(step, ref: n.ref, time: n.deadline, configuration: try await configurations.configuration(n.site))
            }
            let argv = command.arguments(
                site: n.site, ref: n.ref, level: n.level, deadline: n.deadline.map(WireTime.string) ?? "",
                assignee: n.assignee ?? "", phone: phone, message: message)
            let started = self.now()
            let outcome = await NotifyCommand.run(argv, timeout: command.timeout)
            let finished = self.now()
            let attempt = Int(n.attempt)
            let status = outcome.succeeded ? "sent" : attempt >= maxAttempts ? "failed" : "queued"
            let retryAt = now.addingTimeInterval(retryDelay(afterAttempt: attempt))
            try await store.client.withTransaction(logger: logger) { conn in
                try await conn.query(
                    """
                    INSERT INTO notification_attempts (notification_id, attempt, started_at, finished_at, exit_status, output, error)
                    VALUES (\(n.id), \(n.attempt), \(started), \(finished), \(outcome.exitStatus), \(outcome.output), \(outcome.error))
                    """, logger: logger)
                try await conn.query(
                    """
                    UPDATE notifications SET status = \(status),
                        next_attempt_at = CASE WHEN \(status) = 'queued' THEN \(retryAt) ELSE next_attempt_at END,
                        finished_at = CASE WHEN \(status) = 'queued' THEN NULL ELSE \(finished) END
                    WHERE id = \(n.id)
                    """, logger: logger)
            }
            if let step, status != "queued" {
                try await store.recordResidentNotified(site: n.site, ref: n.ref, step: step, outcome: status, at: finished)
            }
            if let error = outcome.error {
                logger.warning(
                    "notify-command failed", metadata: [
                        "site": "\(n.site)", "ref": "\(n.ref)", "level": "\(n.level)", "attempt": "\(attempt)",
                        "error": "\(error)", "next": "\(status == "queued" ? WireTime.string(retryAt) : "gave up")",
                    ])
            }
        }
        return claimed.count
    }

    /// When the next queued notification is due (nil: none is).
    public func nextDue() async throws -> Date? {
        for try await d in try await store.client.query(
            "SELECT min(next_attempt_at) FROM notifications WHERE status = 'queued'", logger: logger
        ).decode(Date?.self) { return d }
        return nil
    }

    /// The slow re-check: a notification queued by another process (whose own notifier died
    /// before running it) is picked up within this many seconds.
    public static let recheckSeconds = 60.0

    /// Runs until cancelled: woken at once when this process's escalation task queues a
    /// notification, at the next due retry, and at least every `recheckSeconds`.
    public func run() async {
        while !Task.isCancelled {
            var seconds = 5.0
            do {
                try await runDue(at: now())
                seconds = Self.recheckSeconds
                if let next = try await nextDue() { seconds = min(seconds, max(0.2, next.timeIntervalSince(now()))) }
            } catch {
                logger.warning("notification pass failed; trying again in 5 s", metadata: ["error": "\(String(reflecting: error))"])
            }
            await store.wakes.notifier.wait(upTo: seconds)
        }
    }
}

/// What IT sees of one notification.
public struct NotificationRecord: Sendable, Equatable {
    public var id: Int64
    public var site: String
    public var ref: String
    public var level: String
    public var status: String
    public var attempts: Int
    public var lastError: String?
}

extension CentralStore {
    /// Notifications of a case (or of every case), oldest first, with the last attempt's error.
    public func notifications(site: String?, ref: String?) async throws -> [NotificationRecord] {
        let rows = try await client.query(
            """
            SELECT n.id, n.site_id, n.ref, n.level, n.status, n.attempts,
                   (SELECT a.error FROM notification_attempts a WHERE a.notification_id = n.id ORDER BY a.attempt DESC LIMIT 1)
            FROM notifications n
            WHERE (\(site)::text IS NULL OR n.site_id = \(site)) AND (\(ref)::text IS NULL OR n.ref = \(ref))
            ORDER BY n.id
            """, logger: logger)
        var out: [NotificationRecord] = []
        for try await (id, s, r, level, status, attempts, error) in rows.decode((Int64, String, String, String, String, Int32, String?).self) {
            out.append(NotificationRecord(id: id, site: s, ref: r, level: level, status: status, attempts: Int(attempts), lastError: error))
        }
        return out
    }
}
