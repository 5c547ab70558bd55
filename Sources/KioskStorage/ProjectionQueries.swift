#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What `kioskctl status/queue/report` and the reports read: the projection tables, as rows.
extension EventStore {
    /// The tickets of one business day, in issue order.
    public func tickets(day: String) throws -> [TicketRow] {
        var rows: [TicketRow] = []
        var bad: String?
        try conn.query(
            """
            SELECT day, label, service, number, priority, status, issued_at, called_at, last_called_at,
                   recalls, counter, started_at, finished_at, estimate_low, estimate_high,
                   rating, score, rated, reason
            FROM tickets WHERE day = ? ORDER BY id
            """, [.text(day)], doing: "reading the tickets of \(day)"
        ) { r in
            guard let issued = date(r.text(6)) else { bad = r.text(1); return }
            rows.append(
                TicketRow(
                    day: r.text(0) ?? "", label: r.text(1) ?? "", service: r.text(2) ?? "", number: r.int(3),
                    priority: r.int(4) == 1, status: r.text(5) ?? "", issuedAt: issued, calledAt: date(r.text(7)),
                    lastCalledAt: date(r.text(8)), recalls: r.int(9) ?? 0, counter: r.int(10),
                    startedAt: date(r.text(11)), finishedAt: date(r.text(12)), estimateLow: r.int(13),
                    estimateHigh: r.int(14), rating: r.int(15), score: r.int(16), rated: r.int(17).map { $0 == 1 },
                    reason: r.text(18)))
        }
        if let bad { throw corruptRow("ticket \(bad)") }
        return rows
    }

    /// Every counter the events mentioned, by number.
    public func counters() throws -> [CounterRow] {
        var rows: [CounterRow] = []
        try conn.query(
            "SELECT number, status, staff, current_ticket, changed_at FROM counters ORDER BY number",
            doing: "reading the counters"
        ) { r in
            rows.append(
                CounterRow(
                    number: r.int(0) ?? 0, status: r.text(1) ?? "closed", staff: r.text(2), currentTicket: r.text(3),
                    changedAt: date(r.text(4))))
        }
        return rows
    }

    /// Follow-up cases, oldest first; only those with `status` ("open"/"answered") when given.
    public func cases(status: String? = nil) throws -> [CaseRow] {
        var rows: [CaseRow] = []
        var bad: String?
        try conn.query(
            """
            SELECT ref, day, ticket, service, opened_at, deadline, status, reason, answered_at
            FROM cases WHERE (?1 IS NULL OR status = ?1) ORDER BY opened_at, ref
            """, [SQLValue(status)], doing: "reading the cases"
        ) { r in
            guard let opened = date(r.text(4)) else { bad = r.text(0); return }
            rows.append(
                CaseRow(
                    ref: r.text(0) ?? "", day: r.text(1) ?? "", ticket: r.text(2), service: r.text(3), openedAt: opened,
                    deadline: date(r.text(5)), status: r.text(6) ?? "", reason: r.text(7), answeredAt: date(r.text(8))))
        }
        if let bad { throw corruptRow("case \(bad)") }
        return rows
    }

    /// The ratings recorded on one business day, in order.
    public func ratings(day: String) throws -> [RatingRow] {
        var rows: [RatingRow] = []
        var bad: Int64?
        try conn.query(
            """
            SELECT seq, day, ticket, service, counter, staff, rating, score, reason, recorded_at
            FROM ratings WHERE day = ? ORDER BY seq
            """, [.text(day)], doing: "reading the ratings of \(day)"
        ) { r in
            guard let at = date(r.text(9)) else { bad = r.int64(0); return }
            rows.append(
                RatingRow(
                    seq: r.int64(0) ?? 0, day: r.text(1) ?? "", ticket: r.text(2) ?? "", service: r.text(3),
                    counter: r.int(4), staff: r.text(5), rating: r.int(6) ?? 0, score: r.int(7), reason: r.text(8),
                    recordedAt: at))
        }
        if let bad { throw corruptRow("rating \(bad)") }
        return rows
    }

    private func corruptRow(_ what: String) -> StorageError {
        StorageError(
            .corrupt, path: path, message: "\(what) has an unreadable time",
            hint: "run `kioskd` once to rebuild, or restore the last backup")
    }

}
