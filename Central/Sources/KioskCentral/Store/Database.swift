import Foundation
import Logging
import PostgresNIO

/// Where the database is: a `postgres://user[:password]@host[:port]/database` URL
/// (flag `--database-url` or env `KIOSK_CENTRAL_DATABASE_URL`).
public struct DatabaseLocation: Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String

    public init(url: String) throws {
        guard let c = URLComponents(string: url), c.scheme == "postgres" || c.scheme == "postgresql",
            let host = c.host, !host.isEmpty
        else {
            throw CentralError("database URL '\(url)' is not postgres://user@host:port/database",
                               hint: "e.g. postgres://kiosk@127.0.0.1:5432/kiosk_central")
        }
        self.host = host
        port = c.port ?? 5432
        user = c.user ?? "postgres"
        password = c.password
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = db.isEmpty ? user : db
    }

    /// One connection of its own (the signal listener's).
    /// Named `kiosk-central signals` in `pg_stat_activity`.
    public func connectionConfiguration() -> PostgresConnection.Configuration {
        var c = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        c.options.additionalStartupParameters = [("application_name", SignalListener.applicationName)]
        return c
    }

    public func clientConfiguration() -> PostgresClient.Configuration {
        var config = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable)
        config.options.maximumConnections = 16
        return config
    }
}

/// Runs `body` with a connected pool, shutting it down afterwards.
@discardableResult
public func withPostgres<T: Sendable>(
    _ location: DatabaseLocation, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(configuration: location.clientConfiguration(), backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// An operator-facing failure: what went wrong and what to do.
public struct CentralError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String
    public init(_ message: String, hint: String) {
        self.message = message
        self.hint = hint
    }
    public var description: String { "\(message)\n  hint: \(hint)" }
}
