import Foundation
import Logging
import PostgresNIO

/// The one dedicated connection per process that LISTENs on `CentralSignal.channel` (never
/// through a pooler such as pgbouncer in transaction mode, which drops LISTEN silently: point
/// `--listen-database-url` at PostgreSQL itself when the pool goes through one). Reconnects with
/// a backoff; each (re)connection makes every waiter and cache look again, since notifications
/// sent while it was down are gone.
public struct SignalListener: Sendable {
    public let location: DatabaseLocation
    public let signals: CentralSignals
    public let logger: Logger
    /// The connection's `application_name` (to find it in `pg_stat_activity`).
    public static let applicationName = "kiosk-central signals"

    public init(location: DatabaseLocation, signals: CentralSignals, logger: Logger) {
        self.location = location
        self.signals = signals
        self.logger = logger
    }

    /// Runs until cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: location.connectionConfiguration(), id: 0, logger: logger)
                failures = 0
                do {
                    try await connection.listen(on: CentralSignal.channel) { notifications in
                        // Queries on one connection run in order: once this answers, LISTEN is in effect.
                        try await connection.query("SELECT 1", logger: logger)
                        signals.connected()
                        logger.info("listening for signals", metadata: ["channel": "\(CentralSignal.channel)"])
                        for try await n in notifications {
                            if let signal = CentralSignal(payload: n.payload) { signals.handle(signal) }
                        }
                    }
                } catch {
                    if !Task.isCancelled {
                        logger.warning("the signal connection failed", metadata: ["error": "\(String(reflecting: error))"])
                    }
                }
                try? await connection.close()
            } catch {
                failures += 1
                if failures == 1 || failures % 30 == 0 {
                    logger.warning(
                        "cannot open the signal connection; long-polls re-check every \(Int(CentralSignals.fallbackRecheckSeconds)) s meanwhile",
                        metadata: ["error": "\(String(reflecting: error))", "attempts": "\(failures)"])
                }
            }
            signals.disconnected()
            if Task.isCancelled { break }
            try? await Task.sleep(for: .milliseconds(min(5000, 250 << min(failures, 5))))
        }
    }
}
