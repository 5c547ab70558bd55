import Foundation
import Logging
import Hummingbird
import PostgresNIO

/// A streaming replica that report pages read from (`--report-database-url`), so a year's fleet
/// page does not compete with the kiosks' uploads on the primary.
///
/// Folding a period's dirty days writes, so it stays on the primary (`prepareReportDays`); the
/// page then reads the folds and case states from the replica once it has replayed the primary's
/// WAL up to the moment after that folding. A replica further behind than `maxLag` allows, or
/// unreachable, or not a standby at all, is passed over for that page: it is read from the
/// primary, and the log says why. A page never shows less than the primary holds.
public struct ReportReplica: Sendable {
    public let client: PostgresClient
    /// How long a page waits for the replica to replay what it must show.
    public var maxLag: Duration = .seconds(2)
    /// How often the replica's replay position is looked at while it is behind.
    static let recheck: Duration = .milliseconds(50)

    public init(client: PostgresClient) {
        self.client = client
    }

    /// The pool for a replica: few connections (report pages are few) and a short connect
    /// timeout, so a replica that is down costs a page two seconds, not a minute.
    public static func clientConfiguration(_ location: DatabaseLocation) -> PostgresClient.Configuration {
        var config = location.clientConfiguration()
        config.options.maximumConnections = 4
        config.options.connectTimeout = .seconds(2)
        return config
    }
}

/// Where a report's reads go, chosen by `CentralStore.reportReader()`.
public struct ReportReader: Sendable {
    public enum Source: String, Sendable {
        case primary, replica
    }

    public let client: PostgresClient
    public let source: Source

    /// The response header that says where a report's figures were read: `primary` or `replica`.
    public static let header = HTTPFields.Element.Name("X-Kiosk-Report-Source")!
}

extension CentralStore {
    /// The pool a report reads from once its days are folded: the replica when one is configured
    /// and has replayed everything the primary had committed when this was called, else the
    /// primary.
    func reportReader() async -> ReportReader {
        let primary = ReportReader(client: client, source: .primary)
        guard let replica = reportReplica else { return primary }
        let reason: String?
        do {
            var target: String?
            for try await lsn in try await client.query("SELECT pg_current_wal_lsn()::text", logger: logger)
                .decode(String.self) { target = lsn }
            guard let target else { return primary }
            // The pool waits for a connection as long as the replica is down: a deadline of its own.
            reason = try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask { try await replica.waitForReplay(to: target, logger: logger) }
                group.addTask {
                    try await Task.sleep(for: replica.maxLag + .seconds(1))
                    return "the report replica cannot be read within \(replica.maxLag + .seconds(1)); check that it runs and that --report-database-url is right"
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil  // the first to finish; nil: caught up
            }
        } catch {
            reason = "the report replica cannot be read (\(String(reflecting: error))); check that it runs and that --report-database-url is right"
        }
        guard let reason else { return ReportReader(client: replica.client, source: .replica) }
        logger.warning("report read from the primary", metadata: ["reason": "\(reason)"])
        return primary
    }
}

extension ReportReplica {
    /// Waits up to `maxLag` for the replica to replay the primary's WAL up to `target`: nil when
    /// it has, else why it is passed over.
    func waitForReplay(to target: String, logger: Logger) async throws -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: maxLag)
        while true {
            var state: (standby: Bool, caughtUp: Bool?) = (false, nil)
            for try await row in try await client.query(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= \(target)::pg_lsn", logger: logger
            ).decode((Bool, Bool?).self) { state = row }
            guard state.standby else {
                return "--report-database-url is not a standby (pg_is_in_recovery() is false): point it at a streaming replica of the centre's database"
            }
            if state.caughtUp == true { return nil }
            guard clock.now < deadline else {
                return "the report replica has not replayed the primary's WAL up to \(target) within \(maxLag); check its replication (pg_stat_replication on the primary)"
            }
            try await Task.sleep(for: Self.recheck)
        }
    }
}
