import CSQLite
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif
import KioskCore
import KioskSystem

/// `kioskctl restore FILE` and `kioskctl restore [FILE] --from-central`: puts back this kiosk's
/// event log from a backup, from the centre's copy of it, or from both (the backup, then what the
/// centre holds after it).
///
/// In order, refusing at the first problem and changing nothing until the last steps:
/// 1. no kioskd may use the folder (it holds a lock on the mark, `MarkFile`);
/// 2. a backup must pass the full check (`StorageCheckReport`) and have a schema this code knows;
/// 3. the new log is built beside the old file (`kiosk.sqlite.restoring`): the backup's copy,
///    then the centre's events after it, with their own seqs;
/// 4. events this kiosk stored that neither source has (up to the mark, or the centre's highest
///    seq) are **lost**. From a backup alone that is refused unless `acceptLoss`. Otherwise one
///    `events.lost` event is written right after the lost seqs: their seqs are never used again
///    (the centre may hold some of them, and a seq sent twice with other content is refused),
///    and the day's ticket numbering continues above any number they may have used. Without a
///    mark (the whole state folder was lost) nobody knows how many events the centre never got:
///    numbering then skips `unknownLossNumbers`;
/// 5. the current file (with its `-wal`) is moved aside as `kiosk.sqlite.damaged-<time>`, never
///    deleted; the new file is renamed into place and the mark set to its last event.
public enum Restore {
    /// What the centre holds of this kiosk's log (`GET /v1/events`), as kioskctl fetched it.
    public struct CentralCopy: Sendable {
        public var kiosk: String
        /// The centre's acknowledgement: every seq up to it is held or was declared lost.
        public var ackedSeq: Int64
        /// The highest seq it holds (above `ackedSeq` only after a gap it was never told of).
        public var highestSeq: Int64
        /// Its events with seq ≤ `ackedSeq`, ascending.
        public var events: [RecordedEvent]

        public init(kiosk: String, ackedSeq: Int64, highestSeq: Int64, events: [RecordedEvent]) {
            self.kiosk = kiosk; self.ackedSeq = ackedSeq; self.highestSeq = highestSeq; self.events = events
        }
    }

    public struct Outcome: Sendable {
        /// Where the previous file went (nil when there was none).
        public var setAside: String?
        /// The restored log's last seq and day.
        public var lastSeq: Int64
        public var lastDay: String
        /// The events the backup gave (nil: no backup) and those the centre gave.
        public var fromBackup: ClosedRange<Int64>?
        public var fromCentral = 0
        /// The centre's acknowledgement when its copy was used.
        public var centralThrough: Int64?
        /// Events the mark (or the centre) knew of that neither source has (nil when none were lost).
        public var lost: ClosedRange<Int64>?
        /// The mark was gone too: events after the centre's last are lost, how many is unknown.
        public var lossUnknown = false
        /// The previous file was a log begun after a loss (it ended at this seq, below the
        /// centre's): its events clash with the centre's and are not restored.
        public var replacedLogLast: Int64?
        /// Ticket numbers of `lossDay` skipped because lost events may have used them.
        public var numbersSkipped = 0
        public var lossDay = ""

        public var text: String {
            var s = "restored: the event log now ends at #\(lastSeq)\(lastDay.isEmpty ? "" : " (\(lastDay))")\n"
            if let fromBackup { s += "from the backup: events #\(fromBackup.lowerBound)…#\(fromBackup.upperBound)\n" }
            if fromCentral > 0 { s += "from the centre: \(fromCentral) events\n" }
            if let setAside { s += "the previous file is kept as \(setAside)\n" }
            if let last = replacedLogLast, last > 0 {
                s += "LOST: the previous file's events #1…#\(last) were stored after this kiosk's state was replaced; they clash with the centre's and are not restored (they stay in the file kept aside)\n"
            }
            if let lost { s += "LOST: events #\(lost.lowerBound)…#\(lost.upperBound) are not in what was restored (recorded as events.lost)\n" }
            if lossUnknown {
                s += "LOST: the record of this kiosk's last event is gone too: events it stored after the centre's last (#\(centralThrough ?? 0)) are unknown (recorded as events.lost)\n"
            }
            if numbersSkipped > 0 {
                s += "ticket numbers of \(lossDay) continue \(numbersSkipped) above the highest known, so that no number is given twice\n"
            }
            return s
        }
    }

    /// A backup alone (`kioskctl restore FILE`).
    public static func run(backup: String, into db: String, acceptLoss: Bool, now: Date = Date()) throws -> Outcome {
        try run(backup: backup, central: nil, into: db, acceptLoss: acceptLoss, now: now)
    }

    /// `today`: the business day now (for a loss whose day no mark tells); `unknownLossNumbers`:
    /// the numbers skipped when the mark is gone and the centre's copy is all there is.
    public static func run(
        backup: String?, central: CentralCopy?, into db: String, acceptLoss: Bool, today: String? = nil,
        unknownLossNumbers: Int = 50, now: Date = Date()
    ) throws -> Outcome {
        precondition(backup != nil || central != nil, "a restore needs a backup or the centre's copy")
        if MarkFile.isHeld(database: db) {
            throw StorageError(
                .locked, path: db, message: "a kioskd is using this state folder",
                hint: "stop it first (systemctl stop kioskd), then run kioskctl restore again")
        }
        if let backup { try checkBackup(backup) }
        var mark = try? StorageMark.read(forDatabase: db)
        // A file that ends below what the centre holds of this kiosk is not this kiosk's log but
        // one begun after a loss (kioskd started on a new disk: `LineageCheck`); it and its mark
        // say nothing about how far the lost log went.
        let centralHeld = central.map { max($0.ackedSeq, $0.highestSeq) } ?? 0
        let currentLast = FileManager.default.fileExists(atPath: db) ? try? facts(of: db).lastSeq : nil
        let replacement = currentLast.flatMap { $0 < centralHeld ? $0 : nil }
        if let m = mark, m.seq < centralHeld { mark = nil }
        // The centre's copy never replaces a sound file: there is nothing to restore, and what
        // only the file holds (call-back numbers not yet sent, events after the centre's) would go.
        if let central, backup == nil, !acceptLoss, replacement == nil, FileManager.default.fileExists(atPath: db),
            StorageCheckReport.run(path: db).isSound
        {
            let last = currentLast ?? 0
            let more = last > central.ackedSeq
                ? ", more than the centre (#\(central.ackedSeq)): restoring would lose events #\(central.ackedSeq + 1)…#\(last)" : ""
            throw StorageError(
                .lostEvents, path: db, message: "is sound and holds events up to #\(last)\(more)",
                hint: "there is nothing to restore (`kioskctl check` finds no damage); add --accept-loss only if this file must be replaced anyway")
        }

        let building = db + ".restoring"
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: building + suffix) }
        var outcome = Outcome(setAside: nil, lastSeq: 0, lastDay: "")
        outcome.replacedLogLast = replacement
        do {
            if let backup {
                let source = try SQLiteConnection(path: backup, flags: SQLITE_OPEN_READONLY)
                defer { source.close() }
                try Backups.write(from: source, to: building)
            }
            let store = try EventStore(path: building)
            defer { store.close() }
            let base = try store.lastSequence()
            if backup != nil && base > 0 { outcome.fromBackup = 1...base }
            if let central {
                let after = central.events.filter { $0.seq > base && $0.seq <= central.ackedSeq }
                outcome.fromCentral = try store.appendRecorded(after)
            }
            let restored = try store.lastSequence()
            let lastKiosk = try store.events(since: max(0, restored - 1)).last?.kiosk
            let kiosk = central?.kiosk ?? lastKiosk ?? ""
            // The highest seq this kiosk is known to have used: what neither source has is lost.
            let known = max(mark?.seq ?? 0, central?.highestSeq ?? 0)
            if known > restored {
                let lost = (restored + 1)...known
                if central == nil && !acceptLoss {
                    throw StorageError(
                        .lostEvents, path: backup ?? db,
                        message: "ends at event #\(restored) but this kiosk stored up to #\(known)\(mark.map { " (\($0.day))" } ?? ""): events #\(lost.lowerBound)…#\(lost.upperBound) would be lost and ticket numbers of that day could be given twice",
                        hint: "use a newer backup, add --from-central to take the rest from the centre, or add --accept-loss to restore it anyway knowing that")
                }
                let latest = try store.latestDay()
                let day = mark.flatMap { $0.seq == known && !$0.day.isEmpty ? $0.day : nil } ?? today ?? latest ?? ""
                outcome.lost = lost
                outcome.numbersSkipped = Int(clamping: lost.count)
                outcome.lossDay = day
                try store.appendRecorded([
                    RecordedEvent(seq: known + 1, kiosk: kiosk, event: .lost(lost, numbers: outcome.numbersSkipped, day: day, at: now))
                ])
            } else if mark == nil, central != nil {
                let latest = try store.latestDay()
                let day = today ?? latest ?? ""
                outcome.lossUnknown = true
                outcome.numbersSkipped = max(0, unknownLossNumbers)
                outcome.lossDay = day
                try store.appendRecorded([
                    RecordedEvent(seq: restored + 1, kiosk: kiosk, event: .lost(nil, numbers: outcome.numbersSkipped, day: day, at: now))
                ])
            }
            if let central {
                try store.setAcknowledged(through: central.ackedSeq)
                outcome.centralThrough = central.ackedSeq
            }
            outcome.lastSeq = try store.lastSequence()
            outcome.lastDay = try store.latestDay() ?? ""
            _ = try store.checkpoint(truncate: true)
        } catch {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: building + suffix) }
            throw error
        }
        try? FileManager.default.removeItem(atPath: building + "-shm")
        try Backups.syncFile(building)

        if FileManager.default.fileExists(atPath: db) {
            let aside = db + ".damaged-" + Backups.stamp(now)
            try move(db, aside)
            for suffix in ["-wal", "-journal"] where FileManager.default.fileExists(atPath: db + suffix) {
                try move(db + suffix, aside + suffix)
            }
            try? FileManager.default.removeItem(atPath: db + "-shm")
            outcome.setAside = aside
        }
        try move(building, db)
        Backups.syncFolder(Path.folder(of: db))
        let markFile = try MarkFile(database: db)
        defer { markFile.close() }
        try markFile.write(StorageMark(seq: outcome.lastSeq, day: outcome.lastDay))
        return outcome
    }

    /// True while a kioskd uses the state folder of `database` (it holds a lock on the mark).
    public static func kioskdUses(database: String) -> Bool { MarkFile.isHeld(database: database) }

    /// The last seq of a kiosk database file (for fetching only what comes after a backup).
    public static func lastSeq(of path: String) throws -> Int64 { try facts(of: path).lastSeq }

    /// Refuses a damaged backup and one of a schema this code does not know.
    static func checkBackup(_ backup: String) throws {
        let check = StorageCheckReport.run(path: backup)
        if !check.isSound {
            throw StorageError(
                .corrupt, path: backup, message: "the backup is damaged too: \(check.problems.prefix(3).joined(separator: "; "))",
                hint: "try an older file in backups/ (`kioskctl check` does not change anything), or --from-central")
        }
        let version = try facts(of: backup).version
        if version < 1 || version > EventStore.currentSchemaVersion {
            throw StorageError(
                .notAKioskDatabase, path: backup,
                message: "has schema version \(version); this kioskctl restores versions 1…\(EventStore.currentSchemaVersion)",
                hint: "choose a backup made by this kiosk")
        }
    }

    static func facts(of path: String) throws -> (version: Int, lastSeq: Int64, lastDay: String) {
        let conn = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY)
        defer { conn.close() }
        let version = Int(try conn.scalarInt("PRAGMA user_version", doing: "reading the schema version") ?? 0)
        guard version > 0 else { return (0, 0, "") }
        let seq = try conn.scalarInt("SELECT COALESCE(MAX(seq), 0) FROM events", doing: "reading the last event") ?? 0
        let day = try conn.scalarText("SELECT day FROM events ORDER BY seq DESC LIMIT 1", doing: "reading the last day") ?? ""
        return (version, seq, day)
    }

    static func move(_ from: String, _ to: String) throws {
        if rename(from, to) != 0 {
            let e = errno
            throw StorageError(
                .permission, path: from, message: "cannot move the file to \(to): \(String(cString: strerror(e)))",
                hint: "run kioskctl restore as the user kioskd runs as, with the state folder writable")
        }
    }
}
