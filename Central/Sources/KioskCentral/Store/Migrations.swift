import Logging
import PostgresNIO

/// One schema step of the centre's PostgreSQL database. Never edit a released step: append one.
public struct CentralMigration: Sendable {
    public let version: Int
    public let name: String
    public let sql: [String]
}

/// The schema history, applied in order by `kiosk-central migrate` and at `serve` start.
public let centralMigrations: [CentralMigration] = [
    CentralMigration(
        version: 1, name: "sites, kiosks, tokens, events, config versions, commands, heartbeats",
        sql: [
            """
            CREATE TABLE sites (
                id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
                name text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now())
            """,
            """
            CREATE TABLE kiosks (
                id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,64}$'),
                site_id text NOT NULL REFERENCES sites(id),
                name text NOT NULL DEFAULT '',
                acked_seq bigint NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL DEFAULT now(),
                last_seen_at timestamptz)
            """,
            // Only the SHA-256 of a token is kept; revoking sets revoked_at.
            """
            CREATE TABLE tokens (
                hash text PRIMARY KEY,
                role text NOT NULL CHECK (role IN ('kiosk', 'admin')),
                kiosk_id text REFERENCES kiosks(id),
                label text NOT NULL DEFAULT '',
                created_at timestamptz NOT NULL DEFAULT now(),
                revoked_at timestamptz,
                CHECK ((role = 'kiosk') = (kiosk_id IS NOT NULL)))
            """,
            // Exactly once: the primary key (kiosk_id, seq) plus INSERT … ON CONFLICT DO NOTHING.
            """
            CREATE TABLE events (
                kiosk_id text NOT NULL REFERENCES kiosks(id),
                seq bigint NOT NULL CHECK (seq > 0),
                site_id text NOT NULL REFERENCES sites(id),
                type text NOT NULL,
                device_time timestamptz NOT NULL,
                received_at timestamptz NOT NULL,
                clock_offset_ms bigint,
                payload jsonb NOT NULL,
                PRIMARY KEY (kiosk_id, seq))
            """,
            "CREATE INDEX events_site_received ON events (site_id, received_at)",
            """
            CREATE TABLE config_versions (
                site_id text NOT NULL REFERENCES sites(id),
                version integer NOT NULL CHECK (version > 0),
                body text NOT NULL,
                published_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (site_id, version))
            """,
            """
            CREATE TABLE commands (
                id bigserial PRIMARY KEY,
                kiosk_id text NOT NULL REFERENCES kiosks(id),
                type text NOT NULL CHECK (type IN ('sync', 'reload-config', 'set-weather')),
                argument text,
                created_at timestamptz NOT NULL DEFAULT now(),
                delivered_at timestamptz)
            """,
            "CREATE INDEX commands_pending ON commands (kiosk_id, id) WHERE delivered_at IS NULL",
            """
            CREATE TABLE heartbeats (
                kiosk_id text NOT NULL REFERENCES kiosks(id),
                received_at timestamptz NOT NULL DEFAULT now(),
                version text,
                uptime_seconds bigint,
                backlog bigint,
                oldest_unsent timestamptz,
                last_success timestamptz,
                last_error text,
                disk_free_bytes bigint,
                config_version integer,
                clock_offset_ms bigint)
            """,
            "CREATE INDEX heartbeats_kiosk ON heartbeats (kiosk_id, received_at DESC)",
        ]),
    CentralMigration(
        version: 2, name: "daily report view per site (definitions in shared/notes/domain.md)",
        sql: [
            """
            CREATE VIEW report_daily AS
            SELECT site_id,
                   payload->>'day' AS day,
                   count(*) FILTER (WHERE type = 'ticket.issued') AS tickets,
                   count(*) FILTER (WHERE type = 'service.finished') AS served,
                   count(*) FILTER (WHERE type = 'rating.recorded') AS ratings,
                   100.0 * avg(CASE WHEN (payload->>'rating')::int <= 2 THEN 1 ELSE 0 END)
                       FILTER (WHERE type = 'rating.recorded') AS csat_percent,
                   avg((payload->>'score')::numeric) FILTER (WHERE type = 'rating.recorded') AS satisfaction_index,
                   count(*) FILTER (WHERE type = 'case.opened') AS cases_opened
            FROM events
            GROUP BY site_id, payload->>'day'
            """
        ]),
]

/// Applies pending migrations, each in its own transaction, under an advisory lock so two
/// starting servers never migrate at once. Returns the versions applied.
public func applyCentralMigrations(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
    try await client.query(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
        """, logger: logger)
    var applied: [Int] = []
    for m in centralMigrations {
        let did = try await client.withTransaction(logger: logger) { conn -> Bool in
            try await conn.query("SELECT pg_advisory_xact_lock(80417)", logger: logger)
            let rows = try await conn.query(
                "SELECT count(*) FROM schema_migrations WHERE version = \(m.version)", logger: logger)
            var present: Int64 = 0
            for try await c in rows.decode(Int64.self) { present = c }
            if present > 0 { return false }
            for sql in m.sql { try await conn.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
            try await conn.query(
                "INSERT INTO schema_migrations (version, name) VALUES (\(m.version), \(m.name))", logger: logger)
            return true
        }
        if did {
            logger.info("applied migration", metadata: ["version": "\(m.version)", "name": "\(m.name)"])
            applied.append(m.version)
        }
    }
    return applied
}
