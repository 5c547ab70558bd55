import Foundation
import Logging
import PostgresNIO

/// kiosk-central's report summariser (one per process; any number of processes may share a
/// database): folds the dirty report days (`report_days`) in the background, so report requests
/// find them folded.
///
/// A kiosk uploads every minute or so, and each upload dirties its current day again: a day is
/// folded once it has been dirty for `delay` seconds, so a busy day is folded about once per
/// `delay`, not once per upload. A report request folds whatever its period still has dirty
/// itself (`ReportPages`), so the delay never shows as stale figures. Woken by this process's
/// uploads (`CaseWakeups.reports`); other processes' uploads are seen at the next due time or
/// the slow re-check.
public struct ReportSummariser: Sendable {
    public let store: CentralStore
    /// Seconds a day stays dirty before the summariser folds it.
    public let delay: Double
    /// Five minutes: each fold reads its whole day again, so a busy day folded every minute
    /// would cost the fleet's day of events each minute; a report request folds what is dirty
    /// itself, so the figures are never older than the request.
    public static let defaultDelay = 300.0
    /// The slow re-check.
    static let recheckSeconds = 60.0
    /// After a failed pass (database unreachable, schema not migrated yet).
    static let retrySeconds = 5.0

    public init(store: CentralStore, delay: Double = ReportSummariser.defaultDelay) {
        self.store = store
        self.delay = delay
    }

    /// Folds what is due, then sleeps until the next dirty day is due (or an upload here, or
    /// the re-check), until cancelled.
    public func run() async {
        while !Task.isCancelled {
            var due: Double?
            var failed = false
            do {
                let folded = try await store.foldDirtyReportDays(olderThan: delay)
                if folded > 0 { store.logger.debug("report days folded", metadata: ["days": "\(folded)"]) }
                due = try await nextDue()
            } catch {
                store.logger.warning("report summariser pass failed; retrying", metadata: ["error": "\(String(reflecting: error))"])
                failed = true
            }
            if failed {
                try? await Task.sleep(for: .seconds(Self.retrySeconds))
            } else if let due {
                // Days are dirty: the next is due then. Uploads meanwhile cannot make one due
                // sooner (each waits `delay`), so they are not listened to: no query per upload.
                try? await Task.sleep(for: .milliseconds(Int(min(Self.recheckSeconds, max(1, due)) * 1000)))
            } else {
                // Nothing dirty: the first upload here wakes us (others' at the re-check).
                await store.wakes.reports.wait(upTo: Self.recheckSeconds)
            }
        }
    }

    /// Seconds until the oldest dirty day is due (nil: none dirty).
    func nextDue() async throws -> Double? {
        for try await seconds in try await store.client.query(
            """
            SELECT EXTRACT(EPOCH FROM (min(dirty_since) + make_interval(secs => \(delay)) - now()))::float8
            FROM report_days WHERE dirty
            """, logger: store.logger
        ).decode(Double?.self) { return seconds }
        return nil
    }
}
