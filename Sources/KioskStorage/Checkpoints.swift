#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore

/// When the kiosk's writer copies the WAL into the main file.
///
/// **Why.** In WAL mode a commit is durable in `kiosk.sqlite-wal`; the main file catches up only
/// at a checkpoint, which SQLite runs by itself only every 1000 pages (weeks at a quiet kiosk).
/// Until then the main file alone lacks every recent event, so a lost `-wal` file loses all of
/// them. A `PASSIVE` checkpoint (never waits for readers, never blocks the writer for long) after
/// `everyEvents` events or `everySeconds` seconds keeps the main file at most a minute or so
/// behind; `EventStore.close()` ends with a `TRUNCATE` checkpoint. The mark (`StorageMark`)
/// still catches what a lost WAL takes between two checkpoints.
///
/// Pure: it only counts; `EventStore` runs the checkpoint it asks for.
struct CheckpointPolicy: Equatable, Sendable {
    var everyEvents = 100
    var everySeconds = 60.0
    private(set) var eventsSince = 0
    private(set) var last: Double?

    /// Notes a commit of `events` events at `now`; true when a checkpoint is due (the counters
    /// then start again).
    mutating func committed(events: Int, at now: Date) -> Bool {
        let t = now.timeIntervalSince1970
        eventsSince += events
        guard let previous = last else {
            last = t
            return false
        }
        if eventsSince >= everyEvents || t - previous >= everySeconds {
            eventsSince = 0
            last = t
            return true
        }
        return false
    }
}

extension EventStore {
    /// The mark, then a checkpoint when one is due. Failures here do not undo the commit: they
    /// are kept in `upkeepProblem` for kioskd to log, and the next commit tries again.
    func afterCommit(_ last: RecordedEvent, count: Int) {
        do {
            try markFile?.write(StorageMark(seq: last.seq, day: last.event.day))
            if checkpoints.committed(events: count, at: Date()) { try checkpoint(truncate: false) }
            upkeepProblem = nil
        } catch {
            upkeepProblem = "\(error)"
        }
    }

    /// `PRAGMA wal_checkpoint(PASSIVE)` (or `TRUNCATE`: everything, then the WAL emptied).
    /// Returns the WAL frames not yet copied (0 when the main file is complete).
    @discardableResult
    public func checkpoint(truncate: Bool) throws -> Int {
        var left = 0
        try conn.query(
            "PRAGMA wal_checkpoint(\(truncate ? "TRUNCATE" : "PASSIVE"))", doing: "copying the WAL into the database file (checkpoint)"
        ) { r in
            let frames = r.int(1) ?? 0
            let done = r.int(2) ?? 0
            left = max(0, frames - done)
        }
        return left
    }
}

extension EventStore {
    /// True when a write transaction can be committed now (one no-op row update, fsynced like a
    /// real commit). After a failed commit (a full disk) kioskd calls it now and then, so that
    /// the lobby leaves the paused screen as soon as there is room again, without waiting for
    /// staff to store something.
    public func canCommit() -> Bool {
        guard !readOnly else { return false }
        do {
            try inTransaction(doing: "checking that the disk takes writes again") {
                try conn.run("UPDATE sync_state SET id = id WHERE id = 1", doing: "checking that the disk takes writes again")
            }
            return true
        } catch {
            return false
        }
    }
}
