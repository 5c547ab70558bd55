/// One schema step. `statements` run in order; when `rebuildsProjections` is set, the projection
/// tables are emptied and refilled from `events` after the pending steps ran, with the current
/// projection rules, so an upgraded database answers exactly like a fresh one.
struct Migration: Sendable {
    let version: Int
    let statements: [String]
    let rebuildsProjections: Bool
}

/// The schema history. Never edit a released step: add a new one at the end and bump
/// `EventStore.currentSchemaVersion`. `PRAGMA user_version` holds the last applied version.
let migrations: [Migration] = [
    // v1: the event log and the ticket projection (first release).
    Migration(
        version: 1,
        statements: [
            """
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                kiosk TEXT NOT NULL,
                type TEXT NOT NULL,
                device_time TEXT NOT NULL,
                day TEXT NOT NULL,
                payload TEXT NOT NULL
            )
            """,
            "CREATE INDEX events_day ON events(day, seq)",
            """
            CREATE TABLE tickets (
                id INTEGER PRIMARY KEY,
                day TEXT NOT NULL,
                label TEXT NOT NULL,
                service TEXT NOT NULL,
                number INTEGER,
                priority INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL DEFAULT 'waiting',
                issued_at TEXT NOT NULL,
                called_at TEXT,
                counter INTEGER,
                started_at TEXT,
                finished_at TEXT,
                estimate_low INTEGER,
                estimate_high INTEGER,
                UNIQUE (day, label)
            )
            """,
        ],
        rebuildsProjections: false),
    // v2: counters, cases and ratings; ticket recalls and rating columns. Backfilled from events.
    Migration(
        version: 2,
        statements: [
            "ALTER TABLE tickets ADD COLUMN last_called_at TEXT",
            "ALTER TABLE tickets ADD COLUMN recalls INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE tickets ADD COLUMN rating INTEGER",
            "ALTER TABLE tickets ADD COLUMN score INTEGER",
            // NULL: not asked yet; 1: rated; 0: left without rating (rating.none).
            "ALTER TABLE tickets ADD COLUMN rated INTEGER",
            "ALTER TABLE tickets ADD COLUMN reason TEXT",
            "CREATE INDEX tickets_day_status ON tickets(day, status)",
            "CREATE INDEX events_type ON events(type, day)",
            """
            CREATE TABLE counters (
                number INTEGER PRIMARY KEY,
                status TEXT NOT NULL DEFAULT 'closed' CHECK (status IN ('closed', 'open', 'paused')),
                staff TEXT,
                current_ticket TEXT,
                changed_at TEXT
            )
            """,
            """
            CREATE TABLE cases (
                ref TEXT PRIMARY KEY,
                day TEXT NOT NULL,
                ticket TEXT,
                service TEXT,
                opened_at TEXT NOT NULL,
                deadline TEXT,
                status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered')),
                reason TEXT,
                answered_at TEXT
            )
            """,
            "CREATE INDEX cases_status ON cases(status, deadline)",
            """
            CREATE TABLE ratings (
                seq INTEGER PRIMARY KEY REFERENCES events(seq),
                day TEXT NOT NULL,
                ticket TEXT NOT NULL,
                service TEXT,
                counter INTEGER,
                staff TEXT,
                rating INTEGER NOT NULL,
                score INTEGER,
                reason TEXT,
                recorded_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX ratings_day ON ratings(day, ticket)",
        ],
        rebuildsProjections: true),
    // v3: central sync state (one row) and the centre's receipts (server receive times, offsets).
    Migration(
        version: 3,
        statements: [
            """
            CREATE TABLE sync_state (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                acked_seq INTEGER NOT NULL DEFAULT 0,
                last_attempt_at TEXT,
                last_success_at TEXT,
                last_error TEXT,
                last_error_at TEXT,
                config_version INTEGER NOT NULL DEFAULT 0,
                clock_offset_ms INTEGER
            )
            """,
            "INSERT INTO sync_state (id) VALUES (1)",
            // One row per acknowledged batch: events up to through_seq reached the centre at
            // server_time (the centre's clock), sent at device_time (ours).
            """
            CREATE TABLE sync_receipts (
                through_seq INTEGER PRIMARY KEY,
                server_time TEXT NOT NULL,
                device_time TEXT NOT NULL,
                clock_offset_ms INTEGER
            )
            """,
        ],
        rebuildsProjections: false),
    // v4: outcomes of IT's commands not yet reported to the centre. Kept on disk so that an
    // outcome reached while the centre is unreachable still gets there after a restart.
    Migration(
        version: 4,
        statements: [
            """
            CREATE TABLE command_outcomes (
                command_id INTEGER PRIMARY KEY,
                ok INTEGER NOT NULL,
                message TEXT NOT NULL,
                recorded_at TEXT NOT NULL
            )
            """
        ],
        rebuildsProjections: false),
    // v5: no new table; the projection rules now fold as QueueState does (a call resets the
    // recalls and needs a counter, a recall is not a first call, a transfer clears the service
    // start, a start does not move the ticket, a case needs its ticket), so the tables are
    // rebuilt from the log by those rules.
    Migration(version: 5, statements: [], rebuildsProjections: true),
    // v6: the centre's states of this site's cases (`GET /v1/cases`), one row per reference,
    // and the pull cursor next to the outbox's. A reply's states and its cursor are stored in
    // one transaction (`storePulledCases`), so a restart asks again from where it was.
    Migration(
        version: 6,
        statements: [
            """
            CREATE TABLE pulled_cases (
                ref TEXT PRIMARY KEY CHECK (ref <> ''),
                version INTEGER NOT NULL CHECK (version >= 0),
                change INTEGER NOT NULL,
                state TEXT NOT NULL,
                pulled_at TEXT NOT NULL
            )
            """,
            // The highest change number stored (`GET /v1/cases?after=`) and when the last pull
            // succeeded (the "as of" of every pulled state).
            "ALTER TABLE sync_state ADD COLUMN cases_after INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE sync_state ADD COLUMN cases_pulled_at TEXT",
        ],
        rebuildsProjections: false),
    // v7: call-back numbers given at the pad (issue 15), one row per case, kept apart from the
    // event log: `number` is the full number until the centre acknowledges it (then NULL: only
    // the masked form remains, as in the `case.contact-given` event).
    Migration(
        version: 7,
        statements: [
            """
            CREATE TABLE case_contacts (
                ref TEXT PRIMARY KEY CHECK (ref <> ''),
                number TEXT,
                masked TEXT NOT NULL,
                consent TEXT NOT NULL,
                consent_version TEXT NOT NULL,
                given_at TEXT NOT NULL,
                delivered_at TEXT
            )
            """
        ],
        rebuildsProjections: false),
]

/// Projection tables, children first (for emptying them before a rebuild).
let projectionTables = ["ratings", "cases", "counters", "tickets"]
