import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

// The case desk's store API: lists, search, one case with its timeline and visit, and acts.
// Site scope is the caller's: pass the sites the signed-in person may see (nil = every site)
// and treat a case of another site as not found. Every state returned is the fold
// (`CaseState.apply`) of the case's events in the centre's order.

/// An open case in a desk list.
public struct CaseSummary: Sendable, Equatable {
    public var state: CaseState
    /// The nearest unmet deadline (`CaseEscalations.nearestDeadline`): what the list sorts by.
    public var dueAt: Date?
    /// "reply" or "resolve": which deadline `dueAt` is.
    public var dueKind: String?
    /// The case's change number (as in `GET /v1/cases`).
    public var changeSeq: Int64

    /// Overdue, at risk (a near threshold passed) or on time at `now`.
    public func urgency(now: Date, share: Double = CaseEscalations.defaultShare) -> CaseEscalations.Urgency {
        CaseEscalations.urgency(state, share: share, now: now)
    }
}

/// One line of a case's timeline: a stored case event in the centre's order.
public struct CaseTimelineEntry: Sendable, Equatable {
    /// The centre's order of application (`case_events.id`).
    public var id: Int64
    public var type: String
    /// When it happened (the kiosk's device time for kiosk events, the centre's otherwise).
    public var time: Date
    /// Who: the counter staff number at a kiosk, the account name at the desk, nil for the centre.
    public var actor: String?
    /// Where: the station at a kiosk, "desk", or "centre" for escalations.
    public var station: String?
    /// `kiosk:<kiosk>:<seq>`, `desk:<request id>` or `escalation:<site>:<ref>:<level>`.
    public var source: String
    public var recordedAt: Date
    /// The event itself (note, channel, root cause, assignee, level, verdict …); nil when unreadable.
    public var event: KioskEvent?
}

/// The visit behind a case: the ticket's events at its kiosk that day.
public struct CaseVisit: Sendable, Equatable {
    public var ticket: String
    public var service: String?
    public var counter: Int?
    /// Counter staff number who served it.
    public var staff: String?
    public var issuedAt: Date?
    public var firstCalledAt: Date?
    /// First call − issue, in seconds (the wait as the reports define it).
    public var waitSeconds: Double?
    public var finishedAt: Date?
    public var rating: Int?
    public var reason: String?
    /// The ticket's events in the kiosk's order.
    public var events: [KioskEvent]
}

/// A case with everything the case page shows.
public struct CaseDetail: Sendable, Equatable {
    public var state: CaseState
    public var changeSeq: Int64
    public var timeline: [CaseTimelineEntry]
    /// Nil when the case has no ticket or its events have not reached the centre.
    public var visit: CaseVisit?
}

/// What `act` did.
public enum CaseActResult: Sendable, Equatable {
    /// Recorded and folded now.
    case applied(CaseState)
    /// This request id was recorded before (a double submit or a retry): nothing changed.
    case alreadyApplied(CaseState)

    public var state: CaseState {
        switch self {
        case .applied(let s), .alreadyApplied(let s): return s
        }
    }
}

extension CentralStore {
    /// Open cases (received or handling; with `includeResolved`, also resolved ones waiting for
    /// the resident's verdict) of `sites` (nil: all), of one `assignee` when given, nearest
    /// deadline first (cases with no unmet deadline last).
    public func openCases(
        sites: [String]?, assignee: String?, limit: Int = 200, includeResolved: Bool = false
    ) async throws -> [CaseSummary] {
        let statuses = includeResolved ? ["received", "handling", "resolved"] : ["received", "handling"]
        let rows = try await client.query(
            """
            SELECT state::text, change_seq FROM cases
            WHERE status = ANY(\(statuses)) AND (\(sites)::text[] IS NULL OR site_id = ANY(\(sites)))
              AND (\(assignee)::text IS NULL OR assignee = \(assignee))
            ORDER BY due_at NULLS LAST, site_id, ref LIMIT \(Int64(limit))
            """, logger: logger)
        var out: [CaseSummary] = []
        for try await (text, seq) in rows.decode((String, Int64).self) {
            let s = try decodeState(text)
            let due = CaseEscalations.nearestDeadline(s)
            out.append(CaseSummary(state: s, dueAt: due?.at, dueKind: due?.kind, changeSeq: seq))
        }
        return out
    }

    /// One case of a site; nil when there is none.
    public func findCase(site: String, ref: String) async throws -> CaseState? {
        let rows = try await client.query(
            "SELECT state::text FROM cases WHERE site_id = \(site) AND ref = \(ref)", logger: logger)
        for try await text in rows.decode(String.self) { return try decodeState(text) }
        return nil
    }

    /// Cases with this reference in `sites` (nil: all). The reference may be typed as printed
    /// ("R20261203-001", any case) or as its 11 digits (20261203001, as on the lobby keypad).
    /// Several sites may use the same reference: all are returned, by site.
    public func findCases(ref: String, sites: [String]?) async throws -> [CaseState] {
        guard let ref = Self.normalisedCaseRef(ref) else { return [] }
        let rows = try await client.query(
            """
            SELECT state::text FROM cases WHERE ref = \(ref) AND (\(sites)::text[] IS NULL OR site_id = ANY(\(sites)))
            ORDER BY site_id
            """, logger: logger)
        var out: [CaseState] = []
        for try await text in rows.decode(String.self) { out.append(try decodeState(text)) }
        return out
    }

    /// "R20261203-001" from "r20261203-001", "20261203001" or " R20261203-001 "; nil if neither.
    public static func normalisedCaseRef(_ typed: String) -> String? {
        let t = typed.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = t.filter(\.isNumber)
        if t.allSatisfy(\.isNumber), digits.count == 11 {
            return "R\(digits.prefix(8))-\(digits.suffix(3))"
        }
        return t.isEmpty || t.count > 64 ? nil : t
    }

    /// Every case of `sites` (nil: all) opened on business days `from`…`to` (inclusive,
    /// "YYYY-MM-DD"; nil: unbounded), for figures (`CaseFigures`) and lists.
    public func caseStates(sites: [String]?, from: String?, to: String?, on reader: ReportReader? = nil) async throws -> [CaseState] {
        let rows = try await (reader?.client ?? client).query(
            """
            SELECT state::text FROM cases
            WHERE (\(sites)::text[] IS NULL OR site_id = ANY(\(sites)))
              AND (\(from)::text IS NULL OR state->>'day' >= \(from)) AND (\(to)::text IS NULL OR state->>'day' <= \(to))
            ORDER BY site_id, ref
            """, logger: logger)
        var out: [CaseState] = []
        for try await text in rows.decode(String.self) { out.append(try decodeState(text)) }
        return out
    }

    /// The case with its timeline (every stored case event, in the centre's order) and the visit
    /// behind it; nil when the site has no such case.
    public func caseDetail(site: String, ref: String) async throws -> CaseDetail? {
        var found: (CaseState, Int64)?
        for try await (text, seq) in try await client.query(
            "SELECT state::text, change_seq FROM cases WHERE site_id = \(site) AND ref = \(ref)", logger: logger
        ).decode((String, Int64).self) { found = (try decodeState(text), seq) }
        guard let (state, seq) = found else { return nil }
        let decoder = KioskEvent.makeDecoder()
        var timeline: [CaseTimelineEntry] = []
        for try await (id, type, time, actor, station, source, recorded, payload) in try await client.query(
            """
            SELECT id, type, time, actor, station, source, recorded_at, payload::text FROM case_events
            WHERE site_id = \(site) AND ref = \(ref) ORDER BY id
            """, logger: logger
        ).decode((Int64, String, Date, String?, String?, String, Date, String).self) {
            timeline.append(
                CaseTimelineEntry(
                    id: id, type: type, time: time, actor: actor, station: station, source: source, recordedAt: recorded,
                    event: try? decoder.decode(KioskEvent.self, from: Data(payload.utf8))))
        }
        return CaseDetail(state: state, changeSeq: seq, timeline: timeline, visit: try await visit(of: state, site: site))
    }

    /// The ticket's events at the case's kiosk on the case's day, summed up.
    func visit(of s: CaseState, site: String) async throws -> CaseVisit? {
        guard let ticket = s.ticket, let kiosk = s.kiosk else { return nil }
        let decoder = KioskEvent.makeDecoder()
        var events: [KioskEvent] = []
        for try await text in try await client.query(
            """
            SELECT payload::text FROM events
            WHERE kiosk_id = \(kiosk) AND site_id = \(site) AND payload->>'day' = \(s.day) AND payload->>'ticket' = \(ticket)
              AND type NOT LIKE 'case.%'
            ORDER BY seq
            """, logger: logger
        ).decode(String.self) {
            if let e = try? decoder.decode(KioskEvent.self, from: Data(text.utf8)) { events.append(e) }
        }
        var v = CaseVisit(
            ticket: ticket, service: s.service, counter: s.counter, staff: s.servedBy, rating: s.rating, reason: s.reason,
            events: events)
        for e in events {
            switch e.type {
            case .ticketIssued:
                v.issuedAt = e.time
                v.service = e.service ?? v.service
            case .ticketCalled:
                if v.firstCalledAt == nil { v.firstCalledAt = e.time }
                v.counter = e.counter ?? v.counter
                v.staff = e.staff ?? v.staff
            case .serviceStarted:
                v.counter = e.counter ?? v.counter
                v.staff = e.staff ?? v.staff
            case .serviceFinished:
                v.finishedAt = e.time
                v.counter = e.counter ?? v.counter
                v.staff = e.staff ?? v.staff
            case .ratingRecorded:
                v.rating = e.rating ?? v.rating
            case .ratingReason:
                v.reason = e.reason ?? v.reason
            default:
                break
            }
        }
        if let i = v.issuedAt, let c = v.firstCalledAt { v.waitSeconds = c.timeIntervalSince(i).rounded() }
        return v
    }

    /// Records a desk act on a case once: `event` is the act (`case.assigned` with `assignee`,
    /// `case.contacted` with `channel` and `note`, `case.resolved` with `rootCause` and `note`,
    /// `case.closed` with `satisfied`, `case.reopened` with `note`, `case.alert-acknowledged`
    /// with `level`; its `time` is when it happened, whole seconds are kept). The centre fills
    /// in `caseRef`, `staff` = `actor` and `station` = "desk" (unless given).
    ///
    /// `requestID` is the form's one-time token: the same id again returns `.alreadyApplied`
    /// with the current state and changes nothing. Acts that make no sense in the case's current
    /// state are refused with an `APIError` (`CaseActRules`): 404 `no-such-case`, 400 for a
    /// missing field, 409 for a state that does not allow it. After an applied act the site's
    /// kiosks get a `sync` command, so they pull the new state within seconds.
    public func act(site: String, ref: String, event: KioskEvent, actor: String, requestID: String) async throws -> CaseActResult {
        let request = requestID.trimmingCharacters(in: .whitespaces)
        guard !request.isEmpty, request.count <= 200 else {
            throw APIError.badRequest("bad-request-id", "the act has no request id (or one over 200 characters)", hint: "reload the form and submit it again")
        }
        guard !actor.isEmpty else {
            throw APIError.badRequest("no-actor", "an act needs the name of the person recording it", hint: "sign in again")
        }
        var e = event
        e.caseRef = ref
        e.staff = actor
        e.station = e.station ?? "desk"
        e.time = Date(timeIntervalSince1970: e.time.timeIntervalSince1970.rounded(.down))
        let record = CaseEventRecord(site: site, ref: ref, source: "desk:\(request)", event: e, kiosk: nil)
        let result: CaseActResult = try await transaction { conn in
            try await lockSiteCases(conn, site: site)
            guard let current = try await lockedCase(conn, site: site, ref: ref) else {
                throw APIError(.notFound, "no-such-case", "site \(site) has no case \(ref)", hint: "check the reference on the slip")
            }
            for try await (s, r) in try await conn.query(
                "SELECT site_id, ref FROM case_events WHERE source = \(record.source)", logger: logger
            ).decode((String, String).self) {
                guard s == site, r == ref else {
                    throw APIError(
                        .conflict, "request-id-used", "this form was already used for case \(r) at site \(s)",
                        hint: "reload the case page and submit again")
                }
                return .alreadyApplied(current)
            }
            if let refusal = CaseActRules.refusal(e, on: current) { throw refusal }
            switch try await recordCaseEvent(conn, record) {
            case .applied(let state, _): return .applied(state)
            case .duplicate, .pending: return .alreadyApplied(current)
            }
        }
        if case .applied = result {
            await queueCaseSync(site: site)
            wakes.casesChanged()
        }
        return result
    }
}
