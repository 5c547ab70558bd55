import Foundation
import KioskProtocol
import Logging
import PostgresNIO

/// A kiosk's own log as the centre holds it: the acknowledgement (the highest seq up to which
/// every seq is held or declared lost), and the copy a kiosk reads back to rebuild its storage
/// (`GET /v1/events`, `kioskctl restore --from-central`).
extension CentralStore {
    /// The highest seq from `acked` on such that every seq up to it is stored or lies in a range
    /// the kiosk declared lost (`events.lost`, `kiosk_lost_seqs`): a run of stored events, then a
    /// declared range, as long as one follows the other. One statement per upload in the usual
    /// case (no declared range next): the same cost as before declared losses existed.
    func contiguousSeq(_ conn: PostgresConnection, kiosk: String, from acked: Int64) async throws -> Int64 {
        var through = acked
        while true {
            var lostFollows = false
            for try await (n, lost) in try await conn.query(
                """
                SELECT x.n, EXISTS (SELECT 1 FROM kiosk_lost_seqs l WHERE l.kiosk_id = \(kiosk) AND l.first_seq <= x.n + 1 AND l.last_seq > x.n)
                FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM events WHERE kiosk_id = \(kiosk) AND seq = \(through) + 1)
                  THEN (SELECT min(e.seq) FROM events e WHERE e.kiosk_id = \(kiosk) AND e.seq > \(through)
                        AND NOT EXISTS (SELECT 1 FROM events n WHERE n.kiosk_id = \(kiosk) AND n.seq = e.seq + 1))
                  ELSE \(through) END AS n) x
                """, logger: logger
            ).decode((Int64, Bool).self) { through = n; lostFollows = lost }
            guard lostFollows else { return through }
            for try await n in try await conn.query(
                """
                SELECT max(last_seq) FROM kiosk_lost_seqs
                WHERE kiosk_id = \(kiosk) AND first_seq <= \(through) + 1 AND last_seq > \(through)
                """, logger: logger
            ).decode(Int64.self) { through = n }
        }
    }

    /// Keeps the ranges that newly stored `events.lost` events declare (validated at upload).
    func recordLostSeqs(_ conn: PostgresConnection, kiosk: String, events: [UploadEvent]) async throws {
        for e in events where e.type == LostSeqs.eventType {
            guard let range = LostSeqs.range(of: e) else { continue }
            try await conn.query(
                """
                INSERT INTO kiosk_lost_seqs (kiosk_id, declared_by, first_seq, last_seq)
                VALUES (\(kiosk), \(e.seq), \(range.lowerBound), \(range.upperBound)) ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// `GET /v1/events`: the kiosk's events after `after` up to its acknowledgement, oldest first.
    public func ownEvents(kiosk: String, site: String, after: Int64, limit: Int) async throws -> OwnEventsReply {
        var acked: Int64 = 0, highest: Int64 = 0
        for try await (a, h) in try await client.query(
            """
            SELECT acked_seq, COALESCE((SELECT max(seq) FROM events WHERE kiosk_id = \(kiosk)), 0)
            FROM kiosks WHERE id = \(kiosk)
            """, logger: logger
        ).decode((Int64, Int64).self) { acked = a; highest = h }
        var events: [UploadEvent] = []
        if after < acked {
            let rows = try await client.query(
                """
                SELECT seq, type, to_char(device_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), payload::text
                FROM events WHERE kiosk_id = \(kiosk) AND seq > \(after) AND seq <= \(acked)
                ORDER BY seq LIMIT \(limit)
                """, logger: logger)
            for try await (seq, type, time, payload) in rows.decode((Int64, String, String, String).self) {
                events.append(UploadEvent(seq: seq, type: type, deviceTime: time, payload: .verbatim(payload)))
            }
        }
        return OwnEventsReply(kiosk: kiosk, site: site, ackedSeq: acked, highestSeq: highest, events: events)
    }
}

/// The `events.lost` event's range, as the kiosk writes it (`KioskEvent.lost`).
enum LostSeqs {
    static let eventType = "events.lost"

    /// `lostFrom`…`lostThrough` of the payload; nil when the event names no range (an unknown
    /// loss after the centre's last event: nothing to step over).
    static func range(of e: UploadEvent) -> ClosedRange<Int64>? {
        guard case .object(let fields) = e.payload,
              case .number(let a)? = fields["lostFrom"], case .number(let b)? = fields["lostThrough"],
              let from = Int64(a), let through = Int64(b) else { return nil }
        return from <= through ? from...through : nil
    }

    /// Refuses a range that is not before the event itself, or that names non-integers.
    static func validate(_ e: UploadEvent) throws {
        guard e.type == eventType, case .object(let fields) = e.payload else { return }
        let named = fields["lostFrom"] != nil || fields["lostThrough"] != nil
        guard named else { return }
        guard let r = range(of: e), r.lowerBound >= 1, r.upperBound < e.seq else {
            throw APIError.badRequest(
                "bad-lost-range", "event \(e.seq) (events.lost) must name lostFrom ≤ lostThrough, whole numbers from 1 to \(e.seq - 1)",
                hint: "the lost seqs come before the event that declares them")
        }
    }
}
