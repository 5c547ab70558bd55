#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore

/// A ticket as `kioskctl status/queue` shows it: the projection of its events.
public struct TicketRow: Equatable, Sendable {
    public var day: String
    public var label: String
    public var service: String
    public var number: Int?
    public var priority: Bool
    /// "waiting", "called", "serving", "finished", "no-show".
    public var status: String
    public var issuedAt: Date
    /// First call.
    public var calledAt: Date?
    /// Latest call or recall.
    public var lastCalledAt: Date?
    public var recalls: Int
    public var counter: Int?
    public var startedAt: Date?
    public var finishedAt: Date?
    public var estimateLow: Int?
    public var estimateHigh: Int?
    /// 1 = 非常满意 … 4 = 不满意; nil when not rated.
    public var rating: Int?
    public var score: Int?
    /// nil: not asked yet; true: rated; false: left without rating.
    public var rated: Bool?
    public var reason: String?
}

/// A counter's current state.
public struct CounterRow: Equatable, Sendable {
    public var number: Int
    /// "closed", "open", "paused".
    public var status: String
    public var staff: String?
    /// The ticket called to or being served at this counter.
    public var currentTicket: String?
    public var changedAt: Date?
}

/// A follow-up case opened after a poor rating.
public struct CaseRow: Equatable, Sendable {
    public var ref: String
    public var day: String
    public var ticket: String?
    public var service: String?
    public var openedAt: Date
    public var deadline: Date?
    /// "open", "answered".
    public var status: String
    public var reason: String?
    public var answeredAt: Date?
}

/// One recorded rating (the `rating.recorded` event with its later reason).
public struct RatingRow: Equatable, Sendable {
    public var seq: Int64
    public var day: String
    public var ticket: String
    public var service: String?
    public var counter: Int?
    public var staff: String?
    public var rating: Int
    public var score: Int?
    public var reason: String?
    public var recordedAt: Date
}

extension EventStore {
    /// Applies one event to the projection tables. Runs inside the append (or rebuild)
    /// transaction; any error rolls the whole batch back. The rules are `QueueState.apply`'s,
    /// written in SQL and kept for every business day: FoldEquivalenceTests replays random
    /// event streams through both and compares every shared field, so change both together.
    /// Events that lack the fields a rule needs, or that name a ticket the projection does not
    /// know, change nothing here (they are still in `events`); conflicts such as a second
    /// `ticket.issued` for the same label on the same day fail.
    func project(_ e: KioskEvent, seq: Int64) throws {
        let doing = "updating the current state for event \(seq) (\(e.type.rawValue))"
        let t = SQLValue(timestamp(e.time))
        let day = SQLValue.text(e.day)
        func run(_ sql: String, _ args: [SQLValue]) throws { try conn.run(sql, args, doing: doing) }

        switch e.type {
        case .ticketIssued:
            guard let label = e.ticket, let service = e.service else { return }
            try run(
                """
                INSERT INTO tickets (day, label, service, number, priority, status, issued_at,
                                     estimate_low, estimate_high)
                VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?, ?)
                """,
                [day, .text(label), .text(service), SQLValue(e.number), .int(e.priority == true ? 1 : 0), t,
                 SQLValue(e.estimateLow), SQLValue(e.estimateHigh)])
        case .ticketCalled:
            // A call is to a counter; each call starts counting recalls again (the counter's
            // recalls-before-no-show). The counter is kept as mentioned even when the ticket is
            // unknown, but shows only a ticket of the day.
            guard let label = e.ticket, let n = e.counter else { return }
            try run(
                """
                UPDATE tickets SET status = 'called', counter = ?,
                    called_at = COALESCE(called_at, ?), last_called_at = ?, recalls = 0
                WHERE day = ? AND label = ?
                """, [.int(Int64(n)), t, t, day, .text(label)])
            try run("INSERT INTO counters (number) VALUES (?) ON CONFLICT (number) DO NOTHING", [.int(Int64(n))])
            try run(
                """
                UPDATE counters SET current_ticket = ?
                WHERE number = ? AND EXISTS (SELECT 1 FROM tickets WHERE day = ? AND label = ?)
                """, [.text(label), .int(Int64(n)), day, .text(label)])
        case .ticketRecalled:
            // A recall is not a first call: the wait runs to the first `ticket.called`.
            guard let label = e.ticket else { return }
            try run(
                "UPDATE tickets SET last_called_at = ?, recalls = recalls + 1 WHERE day = ? AND label = ?",
                [t, day, .text(label)])
        case .ticketNoShow:
            guard let label = e.ticket else { return }
            try run("UPDATE tickets SET status = 'no-show' WHERE day = ? AND label = ?", [day, .text(label)])
            try releaseCounter(label: label, counter: e.counter, doing: doing)
        case .ticketTransferred:
            guard let label = e.ticket, let service = e.service else { return }
            try run(
                """
                UPDATE tickets SET service = ?, status = 'waiting', counter = NULL, started_at = NULL
                WHERE day = ? AND label = ?
                """,
                [.text(service), day, .text(label)])
            try releaseCounter(label: label, counter: e.counter, doing: doing)
        case .serviceStarted:
            guard let label = e.ticket else { return }
            // Served where it was called: a start does not move the ticket.
            try run(
                "UPDATE tickets SET status = 'serving', started_at = ? WHERE day = ? AND label = ?",
                [t, day, .text(label)])
        case .serviceFinished:
            guard let label = e.ticket else { return }
            try run(
                "UPDATE tickets SET status = 'finished', finished_at = ? WHERE day = ? AND label = ?",
                [t, day, .text(label)])
            try releaseCounter(label: label, counter: e.counter, doing: doing)
        case .ratingRecorded:
            guard let label = e.ticket, let rating = e.rating else { return }
            try run(
                "UPDATE tickets SET rating = ?, score = ?, rated = 1 WHERE day = ? AND label = ?",
                [.int(Int64(rating)), SQLValue(e.score), day, .text(label)])
            try run(
                """
                INSERT INTO ratings (seq, day, ticket, service, counter, staff, rating, score, recorded_at)
                VALUES (?, ?, ?,
                    COALESCE(?, (SELECT service FROM tickets WHERE day = ? AND label = ?)),
                    COALESCE(?, (SELECT counter FROM tickets WHERE day = ? AND label = ?)),
                    COALESCE(?, (SELECT c.staff FROM counters c WHERE c.number =
                        COALESCE(?, (SELECT counter FROM tickets WHERE day = ? AND label = ?)))),
                    ?, ?, ?)
                """,
                [.int(seq), day, .text(label),
                 SQLValue(e.service), day, .text(label),
                 SQLValue(e.counter), day, .text(label),
                 SQLValue(e.staff), SQLValue(e.counter), day, .text(label),
                 .int(Int64(rating)), SQLValue(e.score), t])
        case .ratingReason:
            guard let label = e.ticket, let reason = e.reason else { return }
            try run("UPDATE tickets SET reason = ? WHERE day = ? AND label = ?", [.text(reason), day, .text(label)])
            try run(
                """
                UPDATE ratings SET reason = ?
                WHERE seq = (SELECT MAX(seq) FROM ratings WHERE day = ? AND ticket = ?)
                """, [.text(reason), day, .text(label)])
        case .notRated:
            guard let label = e.ticket else { return }
            try run(
                "UPDATE tickets SET rating = NULL, score = NULL, rated = 0 WHERE day = ? AND label = ?",
                [day, .text(label)])
        case .caseOpened:
            // A case follows up a visit: without its ticket there is nothing to follow up.
            guard let ref = e.caseRef, e.ticket != nil else { return }
            try run(
                """
                INSERT INTO cases (ref, day, ticket, service, opened_at, deadline, status, reason)
                VALUES (?, ?, ?, COALESCE(?, (SELECT service FROM tickets WHERE day = ? AND label = ?)),
                        ?, ?, 'open',
                        COALESCE(?, (SELECT reason FROM tickets WHERE day = ? AND label = ?)))
                """,
                [.text(ref), day, SQLValue(e.ticket), SQLValue(e.service), day, SQLValue(e.ticket),
                 t, SQLValue(e.deadline.map(timestamp)), SQLValue(e.reason), day, SQLValue(e.ticket)])
        case .caseContacted:
            guard let ref = e.caseRef else { return }
            try run("UPDATE cases SET status = 'answered', answered_at = ? WHERE ref = ?", [t, .text(ref)])
        case .staffLoggedIn:
            guard let n = e.counter else { return }
            try run(
                """
                INSERT INTO counters (number, status, staff, changed_at) VALUES (?, 'open', ?, ?)
                ON CONFLICT (number) DO UPDATE SET status = 'open', staff = excluded.staff,
                    changed_at = excluded.changed_at
                """, [.int(Int64(n)), SQLValue(e.staff), t])
        case .staffLoggedOut:
            guard let n = e.counter else { return }
            try run(
                """
                INSERT INTO counters (number, status, staff, changed_at) VALUES (?, 'closed', NULL, ?)
                ON CONFLICT (number) DO UPDATE SET status = 'closed', staff = NULL,
                    changed_at = excluded.changed_at
                """, [.int(Int64(n)), t])
        case .counterOpened, .counterPaused, .counterClosed:
            guard let n = e.counter else { return }
            let status = e.type == .counterOpened ? "open" : e.type == .counterPaused ? "paused" : "closed"
            try run(
                """
                INSERT INTO counters (number, status, changed_at) VALUES (?, ?, ?)
                ON CONFLICT (number) DO UPDATE SET status = excluded.status, changed_at = excluded.changed_at
                """, [.int(Int64(n)), .text(status), t])
        case .dayClosed:
            try run("UPDATE counters SET current_ticket = NULL", [])
        case .ratingMisuse, .staffLoginFailed, .carePredicted, .careAlertRaised, .careAcknowledged, .farewellShown, .farewellEnded,
            .weatherSet, .printerFailed, .printerRecovered, .caseAssigned, .caseResolved, .caseClosed, .caseReopened,
            .caseEscalated, .caseAlertAcknowledged, .caseContactAsked, .caseContactGiven, .caseContactSkipped,
            .caseContactViewed, .caseContactErased, .caseResidentNotified, .caseCallback, .eventsLost:
            return
        }
    }

    /// The ticket left its counter (finished, no-show, transferred).
    private func releaseCounter(label: String, counter: Int?, doing: String) throws {
        if let n = counter {
            try conn.run(
                "UPDATE counters SET current_ticket = NULL WHERE number = ? AND current_ticket = ?",
                [.int(Int64(n)), .text(label)], doing: doing)
        } else {
            try conn.run(
                "UPDATE counters SET current_ticket = NULL WHERE current_ticket = ?", [.text(label)], doing: doing)
        }
    }

    /// Empties the projection tables and refills them from `events`, oldest first. Must run
    /// inside a transaction.
    func rebuildProjectionsInTransaction() throws {
        for table in projectionTables {
            try conn.exec("DELETE FROM \(table)", doing: "clearing \(table) before rebuilding it")
        }
        var after: Int64 = 0
        while true {
            // Load a chunk first: projecting while iterating would re-enter cached statements.
            let chunk = try loadEvents(
                "SELECT seq, kiosk, payload FROM events WHERE seq > ? ORDER BY seq LIMIT 2000",
                [.int(after)], doing: "rebuilding the current state from events")
            guard let last = chunk.last else { return }
            for r in chunk { try project(r.event, seq: r.seq) }
            after = last.seq
        }
    }
}
