-- A centre database at fleet size, for scripts/explain-central.sh (the plans PostgreSQL chooses
-- depend on table sizes: an index that looks unneeded on a test database of ten rows is the one
-- that matters at 5,000 kiosks). Run by psql on a migrated database with:
--   -v kiosks=5000 -v sites=500 -v events_per_kiosk=400 -v commands_per_kiosk=40 -v cases_per_site=40
-- Everything seeded is named fleet-*, so it never meets the load generator's load-* kiosks.
-- Seeded kiosk K's token is 'kck_seed_' || K (only its SHA-256 is stored, as the centre does).
\set ON_ERROR_STOP on
BEGIN;
-- No triggers while seeding: no NOTIFY per seeded command, no per-row foreign-key checks (the
-- rows are consistent by construction).
SET LOCAL session_replication_role = replica;

INSERT INTO sites (id, name, created_at)
SELECT 'fleet-' || lpad(s::text, 3, '0'), 'Office ' || s, now() - interval '400 days'
FROM generate_series(0, :sites - 1) s;

INSERT INTO kiosks (id, site_id, name, acked_seq, created_at, last_seen_at)
SELECT 'fleet-' || lpad(k::text, 5, '0'), 'fleet-' || lpad((k % :sites)::text, 3, '0'), 'Kiosk ' || k,
       :events_per_kiosk, now() - interval '400 days', now() - (k % 600) * interval '1 second'
FROM generate_series(0, :kiosks - 1) k;

-- One live token per kiosk, and an older revoked one for every fifth kiosk (re-registered).
INSERT INTO tokens (hash, role, kiosk_id, label, created_at, revoked_at)
SELECT encode(sha256(convert_to('kck_seed_' || id, 'UTF8')), 'hex'), 'kiosk', id, id, now() - interval '300 days', NULL
FROM kiosks WHERE id LIKE 'fleet-%';
INSERT INTO tokens (hash, role, kiosk_id, label, created_at, revoked_at)
SELECT encode(sha256(convert_to('kck_old_' || id, 'UTF8')), 'hex'), 'kiosk', id, id, now() - interval '400 days',
       now() - interval '300 days'
FROM kiosks WHERE id LIKE 'fleet-%' AND right(id, 1) IN ('0', '5');

-- A year of visits per kiosk (issued, called, started, finished, rated), oldest first.
INSERT INTO events (kiosk_id, seq, site_id, type, device_time, received_at, clock_offset_ms, payload)
SELECT k.id, s, k.site_id, v.type, v.t, v.t + interval '3 seconds', 12,
       jsonb_build_object('type', v.type, 'time', to_char(v.t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                          'day', to_char(v.t AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                          'ticket', 'A' || lpad((((s - 1) / 5) % 1000)::text, 3, '0'),
                          'service', (ARRAY['repairs', 'rent', 'keys'])[1 + ((s - 1) / 5) % 3],
                          'counter', 1 + ((s - 1) / 5) % 4, 'rating', 1 + ((s - 1) / 5) % 4)
FROM kiosks k
CROSS JOIN generate_series(1, :events_per_kiosk) s
CROSS JOIN LATERAL (
    SELECT (ARRAY['ticket.issued', 'ticket.called', 'service.started', 'service.finished', 'rating.recorded'])[1 + (s - 1) % 5]
               AS type,
           now() - interval '365 days' + ((s - 1) / 5) * (interval '365 days' / (:events_per_kiosk / 5))
               + ((s - 1) % 5) * interval '4 minutes' AS t) v
WHERE k.id LIKE 'fleet-%';

-- Commands of a year, all answered but the newest of every 50th kiosk (still queued).
INSERT INTO commands (kiosk_id, type, argument, created_at, delivered_at, acked_at, result, message)
SELECT k.id, (ARRAY['sync', 'reload-config', 'set-weather'])[1 + c % 3],
       CASE WHEN c % 3 = 2 THEN 'sunny' END, x.t,
       CASE WHEN q THEN NULL ELSE x.t + interval '1 second' END,
       CASE WHEN q THEN NULL ELSE x.t + interval '2 seconds' END,
       CASE WHEN q THEN NULL WHEN c % 97 = 0 THEN 'failed' ELSE 'done' END,
       CASE WHEN NOT q AND c % 97 = 0 THEN 'weather feed unreachable' END
FROM kiosks k
CROSS JOIN generate_series(1, :commands_per_kiosk) c
CROSS JOIN LATERAL (SELECT now() - (:commands_per_kiosk - c + 1) * interval '8 days' AS t,
                           c = :commands_per_kiosk AND right(k.id, 2) = '00' AS q) x
WHERE k.id LIKE 'fleet-%'
ORDER BY x.t;

INSERT INTO kiosk_heartbeats (kiosk_id, received_at, version, uptime_seconds, backlog, last_success, disk_free_bytes,
                              config_version, clock_offset_ms)
SELECT id, now() - (row_number() OVER (ORDER BY id) % 30) * interval '1 second', '1.4.0', 86400, 0,
       now() - interval '30 seconds', 12000000000, 3, 12
FROM kiosks WHERE id LIKE 'fleet-%';

INSERT INTO config_versions (site_id, version, body, published_at)
SELECT id, v, '[kiosk]' || chr(10) || 'sync-interval = 30' || chr(10) || '# ' || id || ' v' || v || chr(10),
       now() - (4 - v) * interval '90 days'
FROM sites CROSS JOIN generate_series(1, 3) v WHERE id LIKE 'fleet-%';

-- Cases of a year per site: all closed but the last two (received, deadlines ahead, so the
-- escalation task has nothing to do during the run). The state is CaseState's JSON.
WITH c AS (
    SELECT s.id AS site, (SELECT min(k.id) FROM kiosks k WHERE k.site_id = s.id) AS kiosk, n,
           now() - (:cases_per_site - n + 1) * (interval '360 days' / :cases_per_site) AS opened,
           n > :cases_per_site - 2 AS open
    FROM sites s CROSS JOIN generate_series(1, :cases_per_site) n WHERE s.id LIKE 'fleet-%'),
r AS (
    SELECT c.*, 'R' || to_char(opened, 'YYYYMMDD') || '-' || lpad(n::text, 3, '0') AS ref,
           CASE WHEN open THEN now() + interval '2 days' ELSE opened + interval '2 days' END AS reply_by,
           to_char(opened AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day
    FROM c),
ins AS (
    INSERT INTO case_events (site_id, ref, source, type, time, actor, station, payload, applied, recorded_at)
    SELECT site, ref, 'seed:' || site || ':' || ref, 'case.opened', opened, '1001', NULL,
           jsonb_build_object('type', 'case.opened', 'caseRef', ref, 'day', day, 'ticket', 'A001',
                              'service', 'repairs', 'counter', 1, 'staff', '1001', 'rating', 4,
                              'reason', 'reason.attitude', 'severity', 'ordinary',
                              'time', to_char(opened AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
           true, opened
    FROM r)
INSERT INTO cases (site_id, ref, kiosk_id, state, status, assignee, reply_by, resolve_by, due_at, next_escalation_at,
                   change_seq, updated_at)
SELECT site, ref, kiosk,
       jsonb_build_object('ref', ref, 'site', site, 'kiosk', kiosk, 'day', day, 'ticket', 'A001', 'service', 'repairs',
                          'counter', 1, 'servedBy', '1001', 'rating', 4, 'reason', 'reason.attitude',
                          'severity', 'ordinary',
                          'openedAt', to_char(opened AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                          'replyBy', to_char(reply_by AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                          'status', CASE WHEN open THEN 'received' ELSE 'closed' END,
                          'reopenCount', 0, 'escalations', '[]'::jsonb, 'acknowledged', '[]'::jsonb,
                          'updatedAt', to_char(opened AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                          'version', CASE WHEN open THEN 1 ELSE 4 END),
       CASE WHEN open THEN 'received' ELSE 'closed' END, NULL, reply_by, NULL,
       CASE WHEN open THEN reply_by END, CASE WHEN open THEN reply_by + interval '1 day' END,
       nextval('case_change_seq'), opened
FROM r ORDER BY opened;
COMMIT;
