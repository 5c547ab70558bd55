import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// Who a bearer token belongs to.
public enum Principal: Sendable, Equatable {
    case kiosk(id: String, site: String)
    case admin(label: String)
}

/// All SQL of the centre. Every method is one transaction or one statement on the pool.
public struct CentralStore: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    /// The share of a case deadline's interval after which it is "near" (`--escalate-share`):
    /// each case row's `next_escalation_at` is computed with it.
    public let escalationShare: Double
    /// This process's wake-ups: the escalation task and the notifier sleep on them.
    public let wakes: CaseWakeups
    /// This process's waiting long-polls and caches, kept true by the signal listener.
    public let signals: CentralSignals
    /// Heartbeats waiting to be written (one upsert a second).
    public let heartbeats = HeartbeatWriter()
    /// Residents' call-back numbers: the sealing key and the retention (`Contacts/`).
    public var contacts = ContactSettings()
    /// A streaming replica for report reads (`--report-database-url`; `ReportReplica`).
    public var reportReplica: ReportReplica?

    public init(client: PostgresClient, logger: Logger, escalationShare: Double = CaseEscalations.defaultShare) {
        self.client = client
        self.logger = logger
        self.escalationShare = escalationShare
        let wakes = CaseWakeups()
        self.wakes = wakes
        signals = CentralSignals(cases: wakes)
    }

    /// `withTransaction` that lets an `APIError` thrown inside reach the client as itself (after
    /// the rollback) instead of as a PostgresTransactionError, which would answer 500.
    func transaction<R>(_ body: (PostgresConnection) async throws -> sending R) async throws -> sending R {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let e as PostgresTransactionError {
            if let api = e.closureError as? APIError, e.rollbackError == nil { throw api }
            throw e
        }
    }

    /// A new random token: 32 bytes, URL-safe base64, prefixed by its role for humans.
    public static func newToken(prefix: String) -> String {
        var g = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &g) }
        let b64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "\(prefix)_\(b64)"
    }

    // MARK: Tokens

    /// The live (not revoked) principal of a token, nil otherwise. Only the token's SHA-256 is
    /// stored (and cached, briefly: `TokenCache`).
    public func principal(token: String) async throws -> Principal? {
        let hash = TokenCache.hash(token)
        if let known = signals.tokens.principal(hash: hash) { return known }
        let rows = try await client.query(
            """
            SELECT t.role, t.label, k.id, k.site_id FROM tokens t LEFT JOIN kiosks k ON k.id = t.kiosk_id
            WHERE t.hash = \(hash) AND t.revoked_at IS NULL
            """, logger: logger)
        var found: Principal?
        for try await (role, label, kiosk, site) in rows.decode((String, String, String?, String?).self) {
            if role == "admin" {
                found = .admin(label: label)
            } else if let kiosk, let site {
                found = .kiosk(id: kiosk, site: site)
            }
        }
        if let found { signals.tokens.remember(hash: hash, found) }
        return found
    }

    /// Creates an admin token (for `kiosk-central create-admin-token`, run on the server).
    public func createAdminToken(label: String) async throws -> String {
        let token = Self.newToken(prefix: "kca")
        try await client.query(
            """
            INSERT INTO tokens (hash, role, label)
            VALUES (encode(sha256(convert_to(\(token), 'UTF8')), 'hex'), 'admin', \(label))
            """, logger: logger)
        return token
    }

    /// Registers a kiosk (and its site when new) and issues a fresh token; earlier tokens of
    /// the same kiosk are revoked, so re-registering is how a lost token is replaced.
    public func registerKiosk(_ kiosk: String, site: String, name: String) async throws -> String {
        let token = Self.newToken(prefix: "kck")
        try await transaction { conn in
            try await conn.query("INSERT INTO sites (id) VALUES (\(site)) ON CONFLICT DO NOTHING", logger: logger)
            let rows = try await conn.query(
                """
                INSERT INTO kiosks (id, site_id, name) VALUES (\(kiosk), \(site), \(name))
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name RETURNING site_id
                """, logger: logger)
            for try await existing in rows.decode(String.self) where existing != site {
                throw APIError(
                    .conflict, "kiosk-in-other-site", "kiosk \(kiosk) is registered at site \(existing), not \(site)",
                    hint: "use another kiosk id, or register it with --site \(existing)")
            }
            try await conn.query(
                "UPDATE tokens SET revoked_at = now() WHERE kiosk_id = \(kiosk) AND revoked_at IS NULL", logger: logger)
            try await conn.query(
                """
                INSERT INTO tokens (hash, role, kiosk_id, label)
                VALUES (encode(sha256(convert_to(\(token), 'UTF8')), 'hex'), 'kiosk', \(kiosk), \(kiosk))
                """, logger: logger)
        }
        return token
    }

    /// Revokes every live token of a kiosk. Returns how many were revoked.
    public func revokeKiosk(_ kiosk: String) async throws -> Int {
        let rows = try await client.query(
            "UPDATE tokens SET revoked_at = now() WHERE kiosk_id = \(kiosk) AND revoked_at IS NULL RETURNING hash",
            logger: logger)
        var n = 0
        for try await hash in rows.decode(String.self) {
            signals.tokens.forget(hash: hash)  // here at once; other processes by the signal
            n += 1
        }
        return n
    }

    // MARK: Events

    /// Stores a validated batch exactly once and returns the highest contiguous seq held for
    /// the kiosk. The kiosk row is locked so two uploads of one kiosk never race on `acked_seq`
    /// (`FOR NO KEY UPDATE`: foreign-key checks of other writes naming the kiosk, a heartbeat
    /// flush or a queued command, do not wait for the upload).
    /// A seq sent again with the same content is a harmless retry; with different content the
    /// whole batch is refused (409 seq-conflict) and nothing is stored.
    public func ingest(
        kiosk: String, site: String, events: [UploadEvent], deviceTimes: [Date], clockOffsetMs: Int64?,
        receivedAt: Date
    ) async throws -> (stored: Int, acked: Int64) {
        let seqs = events.map(\.seq)
        let types = events.map(\.type)
        let times = deviceTimes.map { WireTime.string($0) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payloads = try events.map { String(decoding: try encoder.encode($0.payload), as: UTF8.self) }
        let received = WireTime.string(receivedAt)
        let hasCaseEvents = types.contains { $0.hasPrefix("case.") }
        defer { if hasCaseEvents { wakes.casesChanged() } }  // after the commit (or rollback)
        defer { if !seqs.isEmpty { wakes.reports.signal() } }  // the report days to fold again
        return try await transaction { conn in
            var acked: Int64 = 0
            for try await a in try await conn.query(
                "SELECT acked_seq FROM kiosks WHERE id = \(kiosk) FOR NO KEY UPDATE", logger: logger
            ).decode(Int64.self) { acked = a }
            var stored = 0
            var inserted = Set<Int64>()
            if !seqs.isEmpty {
                let rows = try await conn.query(
                    """
                    INSERT INTO events (kiosk_id, seq, site_id, type, device_time, received_at, clock_offset_ms, payload)
                    SELECT \(kiosk), u.s, \(site), u.t, u.d::timestamptz, \(received)::timestamptz, \(clockOffsetMs), u.p::jsonb
                    FROM unnest(\(seqs)::bigint[], \(types)::text[], \(times)::text[], \(payloads)::text[]) AS u(s, t, d, p)
                    ON CONFLICT (kiosk_id, seq) DO NOTHING
                    RETURNING seq
                    """, logger: logger)
                for try await seq in rows.decode(Int64.self) {
                    stored += 1
                    inserted.insert(seq)
                }
            }
            if stored < seqs.count {
                // Some seqs were already held: they must be the very same events.
                var conflicts: [Int64] = []
                for try await seq in try await conn.query(
                    """
                    SELECT e.seq FROM events e
                    JOIN unnest(\(seqs)::bigint[], \(types)::text[], \(times)::text[], \(payloads)::text[]) AS u(s, t, d, p)
                      ON e.kiosk_id = \(kiosk) AND e.seq = u.s
                    WHERE e.type <> u.t OR e.device_time <> u.d::timestamptz OR e.payload <> u.p::jsonb
                    ORDER BY e.seq LIMIT 5
                    """, logger: logger
                ).decode(Int64.self) { conflicts.append(seq) }
                if let first = conflicts.first {
                    let list = conflicts.map(String.init).joined(separator: ", ")
                    throw APIError(
                        .conflict, "seq-conflict",
                        "kiosk \(kiosk) already sent seq \(list)\(conflicts.count == 5 ? " (and maybe more)" : "") with different content (type, device time or payload); nothing of this batch was stored",
                        hint: "this kiosk's event log no longer matches what it sent: check that its id and state folder are its own (a copied or restored disk?); compare with `kiosk-central admin events --kiosk \(kiosk) --after \(first - 1) --limit 1`")
                }
            }
            // Case events stored for the first time are folded into their cases here, once.
            try await applyKioskCaseEvents(
                conn, kiosk: kiosk, site: site,
                events: zip(seqs, zip(types, payloads)).filter { inserted.contains($0.0) && $0.1.0.hasPrefix("case.") }
                    .map { (seq: $0.0, payload: $0.1.1) })
            // Their business days' report folds are out of date (Reports/ReportDays.swift).
            try await markReportDays(conn, kiosk: kiosk, seqs: inserted.sorted())
            try await recordLostSeqs(conn, kiosk: kiosk, events: events.filter { inserted.contains($0.seq) })
            let newAcked = try await contiguousSeq(conn, kiosk: kiosk, from: acked)
            try await conn.query(
                "UPDATE kiosks SET acked_seq = \(newAcked), last_seen_at = \(received)::timestamptz WHERE id = \(kiosk)",
                logger: logger)
            return (stored, newAcked)
        }
    }

    public func events(site: String?, kiosk: String?, afterSeq: Int64, limit: Int) async throws -> [StoredEvent] {
        let rows = try await client.query(
            """
            SELECT kiosk_id, site_id, seq, type,
                   to_char(device_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), payload::text
            FROM events
            WHERE (\(site)::text IS NULL OR site_id = \(site)) AND (\(kiosk)::text IS NULL OR kiosk_id = \(kiosk))
              AND seq > \(afterSeq)
            ORDER BY kiosk_id, seq LIMIT \(limit)
            """, logger: logger)
        var out: [StoredEvent] = []
        let decoder = JSONDecoder()
        for try await (k, s, seq, type, d, r, p) in rows.decode((String, String, Int64, String, String, String, String).self) {
            out.append(
                StoredEvent(
                    kiosk: k, site: s, seq: seq, type: type, deviceTime: d, receivedAt: r,
                    payload: (try? decoder.decode(JSONValue.self, from: Data(p.utf8))) ?? .null))
        }
        return out
    }

    // MARK: Heartbeats and health

    /// Keeps a validated beat for the next write (`HeartbeatWriter`).
    public func recordHeartbeat(kiosk: String, _ h: Heartbeat, at: Date = Date()) {
        heartbeats.record(kiosk: kiosk, h, at: at)
    }

    public func kiosks(site: String?) async throws -> [KioskHealth] {
        await heartbeats.flush(client: client, logger: logger)
        let ts = #"'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'"#
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT k.id, k.site_id,
                           NOT EXISTS (SELECT 1 FROM tokens t WHERE t.kiosk_id = k.id AND t.revoked_at IS NULL),
                           k.acked_seq, to_char(GREATEST(k.last_seen_at, h.received_at) AT TIME ZONE 'UTC', \(ts)),
                           h.version, h.backlog, to_char(h.oldest_unsent AT TIME ZONE 'UTC', \(ts)),
                           to_char(h.last_success AT TIME ZONE 'UTC', \(ts)), h.last_error, h.disk_free_bytes,
                           h.config_version, h.clock_offset_ms, l.lost
                    FROM kiosks k
                    LEFT JOIN kiosk_heartbeats h ON h.kiosk_id = k.id
                    -- Declared losses are rare: one pass over the small table, not a probe per kiosk.
                    LEFT JOIN (SELECT kiosk_id, sum(last_seq - first_seq + 1)::bigint AS lost FROM kiosk_lost_seqs GROUP BY kiosk_id) l
                      ON l.kiosk_id = k.id
                    WHERE ($1::text IS NULL OR k.site_id = $1)
                    ORDER BY k.site_id, k.id
                    """,
                binds: {
                    var b = PostgresBindings()
                    b.append(site)
                    return b
                }()), logger: logger)
        var out: [KioskHealth] = []
        for try await r in rows {
            let c = try r.decode(
                (String, String, Bool, Int64, String?, String?, Int64?, String?, String?, String?, Int64?, Int64?, Int64?, Int64?).self)
            out.append(
                KioskHealth(
                    kiosk: c.0, site: c.1, revoked: c.2, ackedSeq: c.3, lastSeen: c.4, version: c.5, backlog: c.6,
                    oldestUnsent: c.7, lastSuccess: c.8, lastError: c.9, diskFreeBytes: c.10,
                    configVersion: c.11.map(Int.init), clockOffsetMs: c.12, lostEvents: c.13))
        }
        return out
    }

    // MARK: Commands

    /// Queues a command for one kiosk or every kiosk of a site. Returns the new commands' ids.
    public func queueCommand(kiosk: String?, site: String?, _ command: KioskCommand) async throws -> [Int64] {
        let type = command.kind.rawValue
        let argument = command.argument
        // Two statements rather than one with `$1 IS NULL OR …`, which no index can serve.
        let rows = try await client.query(
            kiosk != nil
                ? """
                INSERT INTO commands (kiosk_id, type, argument)
                SELECT id, \(type), \(argument) FROM kiosks WHERE id = \(kiosk) AND (\(site)::text IS NULL OR site_id = \(site))
                RETURNING id
                """
                : """
                INSERT INTO commands (kiosk_id, type, argument)
                SELECT id, \(type), \(argument) FROM kiosks WHERE site_id = \(site)
                RETURNING id
                """, logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return ids.sorted()
    }

    /// Records a kiosk's outcome of one of its commands. The first outcome stays (a kiosk that
    /// retries after a lost answer gets the same answer). Nil: no such command for this kiosk.
    public func acknowledgeCommand(kiosk: String, id: Int64, result: String, message: String) async throws -> CommandStatus? {
        try await client.query(
            """
            UPDATE commands SET acked_at = now(), result = \(result), message = \(message),
                delivered_at = COALESCE(delivered_at, now())
            WHERE id = \(id) AND kiosk_id = \(kiosk) AND acked_at IS NULL
            """, logger: logger)
        return try await commandStatuses(site: nil, kiosk: kiosk, id: id, limit: 1).first
    }

    /// IT's view of commands, newest first: queued, delivered (not yet answered), done or failed.
    public func commandStatuses(site: String?, kiosk: String?, id: Int64? = nil, limit: Int) async throws -> [CommandStatus] {
        let ts = #"'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'"#
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT c.id, c.kiosk_id, k.site_id, c.type, c.argument,
                           to_char(c.created_at AT TIME ZONE 'UTC', \(ts)),
                           to_char(c.delivered_at AT TIME ZONE 'UTC', \(ts)),
                           to_char(c.acked_at AT TIME ZONE 'UTC', \(ts)), c.result, c.message
                    FROM commands c JOIN kiosks k ON k.id = c.kiosk_id
                    WHERE ($1::text IS NULL OR k.site_id = $1) AND ($2::text IS NULL OR c.kiosk_id = $2)
                      AND ($3::bigint IS NULL OR c.id = $3)
                    ORDER BY c.id DESC LIMIT $4
                    """,
                binds: {
                    var b = PostgresBindings()
                    b.append(site)
                    b.append(kiosk)
                    b.append(id)
                    b.append(Int64(limit))
                    return b
                }()), logger: logger)
        var out: [CommandStatus] = []
        for try await r in rows {
            let c = try r.decode((Int64, String, String, String, String?, String, String?, String?, String?, String?).self)
            let status = c.8 ?? (c.6 == nil ? "queued" : "delivered")
            out.append(
                CommandStatus(
                    id: c.0, kiosk: c.1, site: c.2, type: c.3, argument: c.4, status: status, createdAt: c.5,
                    deliveredAt: c.6, ackedAt: c.7, message: c.9))
        }
        return out
    }

    /// A command handed out this long ago without an outcome is handed out again.
    public static let redeliverySeconds = 600

    /// Hands out a kiosk's pending commands, marking them delivered: the queued ones, and those
    /// delivered over `redeliverySeconds` ago that were never answered (the kiosk stopped before
    /// finishing one; it stores its outcomes, so a merely offline kiosk answers late instead).
    /// At least once: every command (sync, reload-config, set-weather) is idempotent on the kiosk,
    /// and the first outcome is the one kept. Nothing is handed out once the asking token
    /// (`tokenHash`) is revoked, even to a long-poll opened before.
    public func takeCommands(kiosk: String, tokenHash: String) async throws -> [Command] {
        let rows = try await client.query(
            """
            UPDATE commands SET delivered_at = now()
            WHERE EXISTS (SELECT 1 FROM tokens WHERE hash = \(tokenHash) AND revoked_at IS NULL)
              AND id IN (SELECT id FROM commands WHERE kiosk_id = \(kiosk) AND acked_at IS NULL
                           AND (delivered_at IS NULL OR delivered_at < now() - \(Self.redeliverySeconds) * interval '1 second')
                         ORDER BY id FOR UPDATE SKIP LOCKED)
            RETURNING id, type, argument
            """, logger: logger)
        var out: [Command] = []
        for try await (id, type, arg) in rows.decode((Int64, String, String?).self) {
            out.append(Command(id: id, type: type, argument: arg))
        }
        return out.sorted { $0.id < $1.id }
    }

    // MARK: Configuration

    public func publishConfig(site: String, body: String) async throws -> Int {
        try await client.withTransaction(logger: logger) { conn in
            try await conn.query("INSERT INTO sites (id) VALUES (\(site)) ON CONFLICT DO NOTHING", logger: logger)
            try await conn.query("SELECT id FROM sites WHERE id = \(site) FOR UPDATE", logger: logger)
            var version = 1
            for try await v in try await conn.query(
                "SELECT COALESCE(max(version), 0) + 1 FROM config_versions WHERE site_id = \(site)", logger: logger
            ).decode(Int32.self) { version = Int(v) }
            try await conn.query(
                "INSERT INTO config_versions (site_id, version, body) VALUES (\(site), \(Int32(version)), \(body))",
                logger: logger)
            return version
        }
    }

    /// `GET /v1/sites/{site}/config?after=`: nil when nothing newer than `after` is published.
    /// The newest version is remembered per site (`SiteMarks`), so the check every kiosk makes
    /// after each heartbeat costs the database nothing while nothing is published.
    public func config(site: String, after: Int) async throws -> ConfigReply? {
        if let newest = signals.configVersions.mark(site), newest <= after { return nil }
        let generation = signals.configVersions.generation(site)
        let config = try await latestConfig(site: site)
        signals.configVersions.remember(site, Int64(config?.version ?? 0), generation: generation)
        guard let config, config.version > after else { return nil }
        return config
    }

    public func latestConfig(site: String) async throws -> ConfigReply? {
        let rows = try await client.query(
            """
            SELECT version, body, to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
            FROM config_versions WHERE site_id = \(site) ORDER BY version DESC LIMIT 1
            """, logger: logger)
        for try await (v, body, at) in rows.decode((Int32, String, String).self) {
            return ConfigReply(site: site, version: Int(v), body: body, publishedAt: at)
        }
        return nil
    }
}
