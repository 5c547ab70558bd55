#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore

/// Writing a log back as it was: `Restore` puts the centre's copies of this kiosk's events into
/// a new file with their own seqs (never renumbered: the centre holds them under those seqs),
/// and records what was lost as one `events.lost` event after the lost seqs.
extension EventStore {
    /// Appends events that already have their seqs, in one transaction, with their projections.
    /// Each seq must be above the current last one (a gap is allowed: the centre's acknowledgement
    /// walks over ranges an earlier `events.lost` declared). Returns how many were stored.
    @discardableResult
    public func appendRecorded(_ events: [RecordedEvent]) throws -> Int {
        guard !events.isEmpty else { return 0 }
        try requireWritable()
        let doing = "restoring events"
        let encoder = KioskEvent.makeEncoder()
        return try inTransaction(doing: doing) {
            var last = try lastSequence()
            for r in events {
                guard r.seq > last else {
                    throw StorageError(
                        .invalidEvent, path: path, message: "event #\(r.seq) comes after #\(last): the events to restore are not in order",
                        hint: "this is a bug in the restore; please report it")
                }
                let payload = String(decoding: try encoder.encode(r.event), as: UTF8.self)
                try conn.run(
                    "INSERT INTO events (seq, kiosk, type, device_time, day, payload) VALUES (?, ?, ?, ?, ?, ?)",
                    [.int(r.seq), .text(r.kiosk), .text(r.event.type.rawValue), .text(timestamp(r.event.time)), .text(r.event.day),
                     .text(payload)],
                    doing: doing)
                try project(r.event, seq: r.seq)
                last = r.seq
            }
            return events.count
        }
    }

    /// Sets what the centre holds of this log (its acknowledgement, authoritative), so only the
    /// events after it are sent again.
    func setAcknowledged(through seq: Int64) throws {
        try conn.run(
            "UPDATE sync_state SET acked_seq = ? WHERE id = 1", [.int(max(0, min(seq, try lastSequence())))],
            doing: "recording what the centre holds")
    }

    /// The ranges of seqs declared lost by `events.lost` events, in order.
    public func declaredLosses() throws -> [ClosedRange<Int64>] {
        var out: [ClosedRange<Int64>] = []
        try conn.query(
            """
            SELECT json_extract(payload, '$.lostFrom'), json_extract(payload, '$.lostThrough') FROM events
            WHERE type = 'events.lost' ORDER BY seq
            """, doing: "reading the declared losses") { r in
            if let a = r.int64(0), let b = r.int64(1), a <= b { out.append(a...b) }
        }
        return out
    }
}
