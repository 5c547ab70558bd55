/// Versions 9 on: the case desk, call-back numbers, signals between processes, stored report
/// folds, and what a fleet needs (token index, declared losses). Appended to
/// `syncReportAndCaseMigrations` in `centralMigrations`; never edit a released step.
let deskAndFleetMigrations: [CentralMigration] = [
    CentralMigration(
        version: 9, name: "case desk: staff accounts, sessions, login attempts",
        sql: [
            // A person at the case desk. Passwords are yescrypt (KioskSecrets); a handler or
            // manager works on the sites listed, an admin on every site (sites empty).
            """
            CREATE TABLE staff_users (
                id bigserial PRIMARY KEY,
                name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
                display_name text NOT NULL DEFAULT '',
                role text NOT NULL CHECK (role IN ('handler', 'manager', 'admin')),
                sites text[] NOT NULL DEFAULT '{}',
                password_hash text NOT NULL,
                disabled_at timestamptz,
                created_at timestamptz NOT NULL DEFAULT now(),
                CHECK (role = 'admin' OR cardinality(sites) > 0))
            """,
            // Only the SHA-256 of the session cookie is kept; the CSRF token is per session.
            """
            CREATE TABLE staff_sessions (
                token_hash text PRIMARY KEY,
                user_id bigint NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
                csrf_token text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                last_seen_at timestamptz NOT NULL DEFAULT now(),
                expires_at timestamptz NOT NULL)
            """,
            "CREATE INDEX staff_sessions_user ON staff_sessions (user_id)",
            // Every login attempt, so several centre processes limit failures as one.
            """
            CREATE TABLE login_attempts (
                id bigserial PRIMARY KEY,
                name text NOT NULL,
                address text NOT NULL,
                succeeded boolean NOT NULL,
                at timestamptz NOT NULL DEFAULT now())
            """,
            "CREATE INDEX login_attempts_name ON login_attempts (name, at)",
            "CREATE INDEX login_attempts_address ON login_attempts (address, at)",
        ]),
    CentralMigration(
        version: 10, name: "residents' call-back numbers, sealed",
        sql: [
            // One per case. `sealed` is AES-256-GCM (nonce, ciphertext, tag) under the key of
            // --contact-key-file (`key_id` names it; the key itself is never here); NULL once
            // erased (retention or request), when only `masked` remains.
            """
            CREATE TABLE case_contacts (
                site_id text NOT NULL REFERENCES sites(id),
                ref text NOT NULL,
                masked text NOT NULL,
                sealed bytea,
                key_id text,
                consent text NOT NULL,
                consent_version text NOT NULL,
                given_at timestamptz NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                erased_at timestamptz,
                erased_why text,
                PRIMARY KEY (site_id, ref),
                CHECK ((sealed IS NULL) = (erased_at IS NOT NULL)))
            """,
        ]),
    CentralMigration(
        version: 11, name: "signals to every centre process (LISTEN/NOTIFY); one latest heartbeat per kiosk",
        sql: [
            // Every change a waiting request or a cache of another process must see sends one
            // notification on the channel `kiosk_central` when its transaction commits
            // (`CentralSignal`): a command queued for a kiosk, a token revoked, a configuration
            // published, a case stored or changed. Triggers, so no write path can forget it.
            """
            CREATE FUNCTION kiosk_central_signal() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_TABLE_NAME = 'commands' THEN
                    PERFORM pg_notify('kiosk_central', 'command ' || NEW.kiosk_id);
                ELSIF TG_TABLE_NAME = 'tokens' THEN
                    PERFORM pg_notify('kiosk_central', 'token ' || NEW.hash);
                ELSIF TG_TABLE_NAME = 'config_versions' THEN
                    PERFORM pg_notify('kiosk_central', 'config ' || NEW.site_id);
                ELSIF TG_TABLE_NAME = 'cases' THEN
                    PERFORM pg_notify('kiosk_central', 'cases ' || NEW.site_id);
                END IF;
                RETURN NULL;
            END $$
            """,
            "CREATE TRIGGER commands_signal AFTER INSERT ON commands FOR EACH ROW EXECUTE FUNCTION kiosk_central_signal()",
            """
            CREATE TRIGGER tokens_signal AFTER UPDATE OF revoked_at ON tokens FOR EACH ROW
            WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL) EXECUTE FUNCTION kiosk_central_signal()
            """,
            "CREATE TRIGGER config_signal AFTER INSERT ON config_versions FOR EACH ROW EXECUTE FUNCTION kiosk_central_signal()",
            "CREATE TRIGGER cases_signal AFTER INSERT OR UPDATE ON cases FOR EACH ROW EXECUTE FUNCTION kiosk_central_signal()",
            // Health is the latest heartbeat only: one row per kiosk, written by one upsert per
            // batch of beats (`HeartbeatWriter`), instead of a row per beat (14 million a day for
            // 5,000 kiosks). The history before this step is not kept.
            """
            CREATE TABLE kiosk_heartbeats (
                kiosk_id text PRIMARY KEY REFERENCES kiosks(id),
                received_at timestamptz NOT NULL,
                version text,
                uptime_seconds bigint,
                backlog bigint,
                oldest_unsent timestamptz,
                last_success timestamptz,
                last_error text,
                disk_free_bytes bigint,
                config_version bigint,
                clock_offset_ms bigint)
            """,
            """
            INSERT INTO kiosk_heartbeats
            SELECT DISTINCT ON (kiosk_id) kiosk_id, received_at, version, uptime_seconds, backlog, oldest_unsent,
                   last_success, last_error, disk_free_bytes, config_version, clock_offset_ms
            FROM heartbeats ORDER BY kiosk_id, received_at DESC
            """,
            "DROP TABLE heartbeats",
            // A site's kiosks (site commands, case syncs, site health) without a scan of the fleet.
            "CREATE INDEX kiosks_site ON kiosks (site_id)",
        ]),
    CentralMigration(
        version: 12, name: "reports from stored day folds: one per kiosk and business day",
        sql: [
            // `fold` is a packed ReportDayFold (KioskCore, ReportDayFoldPacking.swift): the day's
            // counts, sums and exact distributions, merged by the report pages and /v1/admin/reports
            // (Reports/ReportDays.swift). Dirty: events of the day were stored after the fold
            // (or it was never folded); whoever folds it first claims the row with FOR UPDATE.
            """
            CREATE TABLE report_days (
                kiosk_id text NOT NULL,
                site_id text NOT NULL,
                day text NOT NULL,
                dirty boolean NOT NULL DEFAULT true,
                dirty_since timestamptz NOT NULL DEFAULT now(),
                fold bytea,
                time_zone text,
                events integer NOT NULL DEFAULT 0,
                unreadable integer NOT NULL DEFAULT 0,
                folded_at timestamptz,
                PRIMARY KEY (kiosk_id, site_id, day))
            """,
            "CREATE INDEX report_days_day ON report_days (day, site_id, kiosk_id)",
            "CREATE INDEX report_days_site ON report_days (site_id, day, kiosk_id)",
            "CREATE INDEX report_days_dirty ON report_days (dirty_since) WHERE dirty",
            // Every kiosk-day already stored, to be folded (by the summariser, or by the first
            // report that covers it).
            """
            INSERT INTO report_days (kiosk_id, site_id, day)
            SELECT DISTINCT kiosk_id, site_id, payload->>'day' FROM events WHERE payload->>'day' IS NOT NULL
            """,
        ]),
    CentralMigration(
        version: 13, name: "a kiosk's live tokens by an index, not a scan of every token",
        sql: [
            // `kiosk_id = $1 AND revoked_at IS NULL` is how registering (revoking the earlier
            // token), revoking, a site's kiosk list and the sync queued after a case change find
            // a kiosk's live token; without this each read all tokens of the fleet (plans in
            // docs/central.md "Hot queries and their plans").
            "CREATE INDEX tokens_kiosk_live ON tokens (kiosk_id) WHERE revoked_at IS NULL",
        ]),
    CentralMigration(
        version: 14, name: "seqs a kiosk lost with its storage (events.lost): its acknowledgement walks over them",
        sql: [
            // One row per `events.lost` event (`declared_by` its seq): the kiosk restored a log that
            // ends before events it had stored, and never uses their seqs again. Without this the
            // centre's highest contiguous seq would stop at the first of them for ever.
            """
            CREATE TABLE kiosk_lost_seqs (
                kiosk_id text NOT NULL REFERENCES kiosks(id),
                declared_by bigint NOT NULL,
                first_seq bigint NOT NULL CHECK (first_seq > 0),
                last_seq bigint NOT NULL CHECK (last_seq >= first_seq AND last_seq < declared_by),
                PRIMARY KEY (kiosk_id, declared_by))
            """,
        ]),
]
