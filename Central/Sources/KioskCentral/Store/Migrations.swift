import Logging
import PostgresNIO

/// One schema step of the centre's PostgreSQL database. Never edit a released step: append one.
public struct CentralMigration: Sendable {
    public let version: Int
    public let name: String
    public let sql: [String]
}

/// The schema history, applied in order by `kiosk-central migrate` and at `serve` start.
public let centralMigrations: [CentralMigration] = syncReportAndCaseMigrations + deskAndFleetMigrations

/// Versions 1–8: the sync, reports and follow-up cases.
let syncReportAndCaseMigrations: [CentralMigration] = [
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
    CentralMigration(
        version: 3, name: "report view with waits, target, promise, no-shows, response rate, case follow-up",
        sql: [
            "DROP VIEW report_daily",
            "CREATE INDEX events_kiosk_type ON events (kiosk_id, type)",
            // Definitions as in shared/notes/domain.md and the kiosk's own report: wait = first
            // call − issue; target 10 minutes; promise kept = first call within the estimate's
            // upper bound; p90 by nearest rank (percentile_disc); rates over their own base.
            """
            CREATE VIEW report_daily AS
            WITH tickets AS (
                SELECT i.site_id, i.payload->>'day' AS day, i.device_time AS issued_at,
                       (i.payload->>'estimateHigh')::int AS estimate_high,
                       (SELECT min(c.device_time) FROM events c
                        WHERE c.kiosk_id = i.kiosk_id AND c.type = 'ticket.called'
                          AND c.payload->>'day' = i.payload->>'day'
                          AND c.payload->>'ticket' = i.payload->>'ticket') AS first_called_at
                FROM events i WHERE i.type = 'ticket.issued'),
            waits AS (
                SELECT site_id, day, count(*) AS tickets, count(first_called_at) AS called,
                       avg(extract(epoch FROM first_called_at - issued_at)) AS wait_average,
                       percentile_disc(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_called_at - issued_at))
                           AS wait_p90,
                       avg(CASE WHEN first_called_at - issued_at <= interval '10 minutes' THEN 1.0 ELSE 0.0 END)
                           FILTER (WHERE first_called_at IS NOT NULL) AS within_target,
                       avg(CASE WHEN first_called_at - issued_at <= make_interval(mins => estimate_high)
                                THEN 1.0 ELSE 0.0 END)
                           FILTER (WHERE first_called_at IS NOT NULL AND estimate_high IS NOT NULL) AS promise_kept
                FROM tickets GROUP BY site_id, day),
            counts AS (
                SELECT site_id, payload->>'day' AS day,
                       count(*) FILTER (WHERE type = 'service.finished') AS served,
                       count(*) FILTER (WHERE type = 'ticket.no-show') AS no_shows,
                       count(*) FILTER (WHERE type = 'rating.recorded') AS ratings,
                       100.0 * avg(CASE WHEN (payload->>'rating')::int <= 2 THEN 1 ELSE 0 END)
                           FILTER (WHERE type = 'rating.recorded') AS csat_percent,
                       avg((payload->>'score')::numeric) FILTER (WHERE type = 'rating.recorded') AS satisfaction_index,
                       count(*) FILTER (WHERE type = 'case.opened') AS cases_opened
                FROM events GROUP BY site_id, payload->>'day'),
            cases AS (
                SELECT o.site_id, o.payload->>'day' AS day,
                       count(*) FILTER (WHERE answered.at IS NOT NULL) AS cases_answered,
                       count(*) FILTER (WHERE answered.at IS NULL AND (o.payload->>'deadline')::timestamptz < now())
                           AS cases_overdue
                FROM events o
                LEFT JOIN LATERAL (
                    SELECT min(a.device_time) AS at FROM events a
                    WHERE a.kiosk_id = o.kiosk_id AND a.type = 'case.answered'
                      AND a.payload->>'caseRef' = o.payload->>'caseRef') answered ON true
                WHERE o.type = 'case.opened'
                GROUP BY o.site_id, o.payload->>'day')
            SELECT c.site_id, c.day,
                   COALESCE(w.tickets, 0) AS tickets, COALESCE(w.called, 0) AS called, c.served, c.no_shows,
                   c.ratings, c.csat_percent, c.satisfaction_index, c.cases_opened,
                   COALESCE(k.cases_answered, 0) AS cases_answered, COALESCE(k.cases_overdue, 0) AS cases_overdue,
                   w.wait_average, w.wait_p90, w.within_target, w.promise_kept,
                   c.no_shows::numeric / NULLIF(w.called, 0) AS no_show_rate,
                   c.ratings::numeric / NULLIF(c.served, 0) AS response_rate
            FROM counts c
            LEFT JOIN waits w ON w.site_id = c.site_id AND w.day IS NOT DISTINCT FROM c.day
            LEFT JOIN cases k ON k.site_id = c.site_id AND k.day IS NOT DISTINCT FROM c.day
            """,
        ]),
    CentralMigration(
        version: 4, name: "command outcomes: the kiosk acknowledges each command with done or failed",
        sql: [
            """
            ALTER TABLE commands
                ADD COLUMN acked_at timestamptz,
                ADD COLUMN result text CHECK (result IN ('done', 'failed')),
                ADD COLUMN message text,
                ADD CHECK ((acked_at IS NULL) = (result IS NULL))
            """,
            "CREATE INDEX commands_kiosk ON commands (kiosk_id, id DESC)",
        ]),
    CentralMigration(
        version: 5, name: "events by business day, for report pages over a period",
        sql: [
            // The report pages read one period's events (of a site or of all): a range on the day.
            "CREATE INDEX events_day_site ON events ((payload->>'day'), site_id)"
        ]),
    CentralMigration(
        version: 6, name: "unanswered commands are handed out again",
        sql: [
            // The command poll looks for unanswered commands (queued, or delivered long ago).
            "CREATE INDEX commands_unanswered ON commands (kiosk_id, id) WHERE acked_at IS NULL",
            "DROP INDEX commands_pending",
        ]),
    CentralMigration(
        version: 7, name: "reports come from the kiosk's ReportBuilder: the report_daily view goes",
        sql: [
            // The view hard-coded a 10-minute target (and its own definition of every figure);
            // /v1/admin/reports now runs the report pages' ReportBuilder over the synced events
            // (Reports/DailyReports.swift), so each service's target-wait counts. Its index on
            // (kiosk_id, type) served only the view's correlated lookups.
            "DROP VIEW report_daily",
            "DROP INDEX events_kiosk_type",
        ]),
    CentralMigration(
        version: 8, name: "cases: state per case, its events in the centre's order, escalation notifications",
        sql: [
            // Bumped on every change of a case; GET /v1/cases hands out states after a number.
            "CREATE SEQUENCE case_change_seq",
            // One row per case: the fold of its case_events (CaseState.apply) as JSON, plus the
            // columns the desk's lists and the escalation task search by. due_at is the nearest
            // unmet deadline (reply_by before a first reply, resolve_by), nil once none is left.
            """
            CREATE TABLE cases (
                site_id text NOT NULL REFERENCES sites(id),
                ref text NOT NULL,
                kiosk_id text REFERENCES kiosks(id),
                state jsonb NOT NULL,
                status text NOT NULL CHECK (status IN ('received', 'handling', 'resolved', 'closed')),
                assignee text,
                reply_by timestamptz NOT NULL,
                resolve_by timestamptz,
                due_at timestamptz,
                next_escalation_at timestamptz,
                change_seq bigint NOT NULL,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (site_id, ref))
            """,
            "CREATE INDEX cases_open_due ON cases (due_at, site_id) WHERE status IN ('received', 'handling')",
            "CREATE INDEX cases_open_assignee ON cases (assignee, due_at) WHERE status IN ('received', 'handling')",
            "CREATE UNIQUE INDEX cases_site_change ON cases (site_id, change_seq)",
            "CREATE INDEX cases_escalation ON cases (next_escalation_at) WHERE next_escalation_at IS NOT NULL",
            "CREATE INDEX cases_ref ON cases (ref)",
            // Every case event in the order the centre applied it (id). source is what makes it
            // exactly once: kiosk:<kiosk>:<seq>, desk:<request id>, escalation:<site>:<ref>:<level>.
            // applied = false: its case.opened has not arrived yet (applied when it does).
            """
            CREATE TABLE case_events (
                id bigserial PRIMARY KEY,
                site_id text NOT NULL REFERENCES sites(id),
                ref text NOT NULL,
                source text NOT NULL UNIQUE,
                type text NOT NULL,
                time timestamptz NOT NULL,
                actor text,
                station text,
                payload jsonb NOT NULL,
                applied boolean NOT NULL DEFAULT true,
                recorded_at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX case_events_case ON case_events (site_id, ref, id)",
            // One per escalation (site, ref, level), run through --notify-command.
            """
            CREATE TABLE notifications (
                id bigserial PRIMARY KEY,
                site_id text NOT NULL,
                ref text NOT NULL,
                level text NOT NULL,
                deadline timestamptz,
                status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'skipped')),
                attempts integer NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                created_at timestamptz NOT NULL DEFAULT now(),
                finished_at timestamptz,
                UNIQUE (site_id, ref, level),
                FOREIGN KEY (site_id, ref) REFERENCES cases (site_id, ref))
            """,
            "CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'queued'",
            // Each run of the command: when, how it ended, what it printed.
            """
            CREATE TABLE notification_attempts (
                id bigserial PRIMARY KEY,
                notification_id bigint NOT NULL REFERENCES notifications(id),
                attempt integer NOT NULL,
                started_at timestamptz NOT NULL,
                finished_at timestamptz NOT NULL,
                exit_status integer,
                output text NOT NULL DEFAULT '',
                error text)
            """,
            "CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id, attempt)",
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
