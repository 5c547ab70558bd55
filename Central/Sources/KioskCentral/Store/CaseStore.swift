import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

// Cases at the centre: every case event (a kiosk's, the desk's, the escalation task's) is stored
// once in `case_events` and folded into its case's row (`cases.state`, the encoded CaseState) by
// `CaseState.apply`, in the same transaction.
//
// Exactly once: each case event has a unique `source` ("kiosk:<kiosk>:<seq>", "desk:<request
// id>", "escalation:<site>:<ref>:<level>"); a second insert of the same source changes nothing.
// Which wins: the centre's order. Every transaction that changes a site's cases first takes the
// site's advisory lock (`lockSiteCases`), then the case row (`FOR UPDATE`): writers of one site
// are serialised across processes, the fold sees them one after the other, and `change_seq`
// (taken under that lock) grows in commit order per site, so `GET /v1/cases?after=` never skips
// a change. Lock order everywhere: kiosk row (ingest only) → site lock → case rows.

/// What storing one case event did.
enum CaseEventOutcome: Equatable {
    /// Its source was already stored: nothing changed.
    case duplicate
    /// Its case has not been opened here yet: kept in `case_events`, applied when its
    /// `case.opened` arrives.
    case pending
    /// Stored and folded; `changed` is false when the fold's rules made it a no-op (e.g. a
    /// resolution of a closed case: it stays in the timeline).
    case applied(CaseState, changed: Bool)
}

/// One case event on its way into `case_events`.
struct CaseEventRecord {
    var site: String
    var ref: String
    var source: String
    var event: KioskEvent
    /// The kiosk that sent it (case.opened: the case's kiosk).
    var kiosk: String?
    var actor: String? { event.staff }
    var station: String? { event.station }
}

extension CentralStore {
    static let caseStateEncoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    func encodeState(_ s: CaseState) throws -> String {
        String(decoding: try Self.caseStateEncoder.encode(s), as: UTF8.self)
    }

    func decodeState(_ text: String) throws -> CaseState {
        try JSONDecoder().decode(CaseState.self, from: Data(text.utf8))
    }

    /// Serialises the case writers of one site until the transaction ends (see above).
    func lockSiteCases(_ conn: PostgresConnection, site: String) async throws {
        try await conn.query("SELECT pg_advisory_xact_lock(80418, hashtext(\(site)))", logger: logger)
    }

    /// The case's state, its row locked until the transaction ends; nil when unknown.
    func lockedCase(_ conn: PostgresConnection, site: String, ref: String) async throws -> CaseState? {
        let rows = try await conn.query(
            "SELECT state::text FROM cases WHERE site_id = \(site) AND ref = \(ref) FOR UPDATE", logger: logger)
        for try await text in rows.decode(String.self) { return try decodeState(text) }
        return nil
    }

    /// Inserts the event unless its source is stored; returns its id, nil for a duplicate.
    func insertCaseEvent(_ conn: PostgresConnection, _ r: CaseEventRecord, applied: Bool) async throws -> Int64? {
        let payload = String(decoding: try KioskEvent.makeEncoder().encode(r.event), as: UTF8.self)
        let rows = try await conn.query(
            """
            INSERT INTO case_events (site_id, ref, source, type, time, actor, station, payload, applied)
            VALUES (\(r.site), \(r.ref), \(r.source), \(r.event.type.rawValue), \(r.event.time), \(r.actor), \(r.station),
                    \(payload)::jsonb, \(applied))
            ON CONFLICT (source) DO NOTHING RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return id }
        return nil
    }

    /// Writes the case's row from its state, with a new change number.
    func writeCase(_ conn: PostgresConnection, _ s: CaseState, site: String, kiosk: String?) async throws {
        let json = try encodeState(s)
        let due = CaseEscalations.nearestDeadline(s)?.at
        let next = CaseEscalations.next(s, share: escalationShare)
        try await conn.query(
            """
            INSERT INTO cases (site_id, ref, kiosk_id, state, status, assignee, reply_by, resolve_by, due_at,
                               next_escalation_at, change_seq, updated_at)
            VALUES (\(site), \(s.ref), \(kiosk), \(json)::jsonb, \(s.status.rawValue), \(s.assignee), \(s.replyBy),
                    \(s.resolveBy), \(due), \(next), nextval('case_change_seq'), now())
            ON CONFLICT (site_id, ref) DO UPDATE SET
                state = EXCLUDED.state, status = EXCLUDED.status, assignee = EXCLUDED.assignee,
                reply_by = EXCLUDED.reply_by, resolve_by = EXCLUDED.resolve_by, due_at = EXCLUDED.due_at,
                next_escalation_at = EXCLUDED.next_escalation_at, change_seq = EXCLUDED.change_seq,
                updated_at = EXCLUDED.updated_at
            """, logger: logger)
    }

    /// Stores one case event and folds it into its case. The caller holds the site's lock.
    func recordCaseEvent(_ conn: PostgresConnection, _ r: CaseEventRecord) async throws -> CaseEventOutcome {
        let current = try await lockedCase(conn, site: r.site, ref: r.ref)
        if r.event.type == .caseOpened {
            guard try await insertCaseEvent(conn, r, applied: current == nil) != nil else { return .duplicate }
            // A second opening of a known reference stays in the timeline only.
            if let current { return .applied(current, changed: false) }
            guard var state = CaseState(opened: r.event, site: r.site, kiosk: r.kiosk) else { return .duplicate }
            // Events that arrived before their opening, in the order the centre stored them.
            let decoder = KioskEvent.makeDecoder()
            let pending = try await conn.query(
                """
                UPDATE case_events SET applied = true WHERE site_id = \(r.site) AND ref = \(r.ref) AND NOT applied
                RETURNING id, payload::text
                """, logger: logger)
            var early: [(Int64, KioskEvent)] = []
            for try await (id, text) in pending.decode((Int64, String).self) {
                if let e = try? decoder.decode(KioskEvent.self, from: Data(text.utf8)) { early.append((id, e)) }
            }
            for (_, e) in early.sorted(by: { $0.0 < $1.0 }) { state.apply(e) }
            try await writeCase(conn, state, site: r.site, kiosk: r.kiosk)
            // A call-back number that reached the centre before its case: the resident hears
            // now that it is received (once: the step is unique per case).
            try await queueResidentMessage(conn, site: r.site, ref: r.ref, step: .received, time: state.replyBy)
            return .applied(state, changed: true)
        }
        guard var state = current else {
            return try await insertCaseEvent(conn, r, applied: false) == nil ? .duplicate : .pending
        }
        guard try await insertCaseEvent(conn, r, applied: true) != nil else { return .duplicate }
        let before = state
        let changed = state.apply(r.event)
        if changed { try await writeCase(conn, state, site: r.site, kiosk: state.kiosk) }
        try await queueResidentMessages(conn, site: r.site, before: before, after: state, event: r.event)
        return .applied(state, changed: changed)
    }

    /// Ingest's part: the kiosk's case events that this upload stored for the first time
    /// (`seq`, JSON payload), folded in seq order inside the upload's transaction. A payload
    /// that is not a case event the kiosk's `KioskEvent` can read, or has no reference, is kept
    /// in `events` only (and logged).
    func applyKioskCaseEvents(
        _ conn: PostgresConnection, kiosk: String, site: String, events: [(seq: Int64, payload: String)]
    ) async throws {
        guard !events.isEmpty else { return }
        try await lockSiteCases(conn, site: site)
        let decoder = KioskEvent.makeDecoder()
        for (seq, payload) in events.sorted(by: { $0.seq < $1.seq }) {
            guard let e = try? decoder.decode(KioskEvent.self, from: Data(payload.utf8)), e.type.isCaseEvent,
                let ref = e.caseRef, !ref.isEmpty
            else {
                logger.warning("case event without a readable reference kept in events only",
                               metadata: ["kiosk": "\(kiosk)", "seq": "\(seq)"])
                continue
            }
            _ = try await recordCaseEvent(
                conn, CaseEventRecord(site: site, ref: ref, source: "kiosk:\(kiosk):\(seq)", event: e, kiosk: kiosk))
        }
    }

    /// Queues a `sync` command for every kiosk of the site that has a live token and no `sync`
    /// waiting already, so the kiosks pull the changed cases within seconds (they long-poll
    /// their commands). Run after the change committed; a kiosk that misses it pulls at its
    /// next sync cycle anyway.
    func queueCaseSync(site: String) async {
        do {
            try await client.query(
                """
                INSERT INTO commands (kiosk_id, type)
                SELECT k.id, 'sync' FROM kiosks k
                WHERE k.site_id = \(site)
                  AND EXISTS (SELECT 1 FROM tokens t WHERE t.kiosk_id = k.id AND t.revoked_at IS NULL)
                  AND NOT EXISTS (SELECT 1 FROM commands c WHERE c.kiosk_id = k.id AND c.type = 'sync'
                                  AND c.delivered_at IS NULL)
                """, logger: logger)
        } catch {
            logger.warning("could not queue sync commands after a case change; kiosks pull at their next sync",
                           metadata: ["site": "\(site)", "error": "\(String(reflecting: error))"])
        }
    }

    // MARK: GET /v1/cases

    /// The site's case states changed after change number `after`, oldest change first, at
    /// most `limit`; `more` when there are further ones.
    public func casesChanged(site: String, after: Int64, limit: Int, now: Date = Date()) async throws -> CasesReply {
        // Nothing changed since `after` (`SiteMarks`): answered without the database.
        if let newest = signals.caseChanges.mark(site), newest <= after {
            return CasesReply(cases: [], next: after, more: false, serverTime: WireTime.string(now))
        }
        let generation = signals.caseChanges.generation(site)
        let rows = try await client.query(
            """
            SELECT change_seq, state::text FROM cases WHERE site_id = \(site) AND change_seq > \(after)
            ORDER BY change_seq LIMIT \(Int64(limit) + 1)
            """, logger: logger)
        var states: [CaseState] = []
        var next = after
        var more = false
        for try await (seq, text) in rows.decode((Int64, String).self) {
            if states.count == limit { more = true; break }
            states.append(try decodeState(text))
            next = seq
        }
        if !more { signals.caseChanges.remember(site, next, generation: generation) }
        return CasesReply(cases: states, next: next, more: more, serverTime: WireTime.string(now))
    }
}
