import CSQLite
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// `kioskctl restore FILE`: puts a backup in place of the state folder's database.
///
/// In order, refusing at the first problem and changing nothing until the last steps:
/// 1. no kioskd may use the folder (it holds a lock on the mark, `MarkFile`);
/// 2. the backup passes the full check (`StorageCheckReport`) and has a schema this code knows;
/// 3. if the backup ends before the mark (the last event this kiosk stored), the events between
///    are lost and ticket numbers of that day could be given again: refused unless `acceptLoss`;
/// 4. the current file (with its `-wal`) is moved aside as `kiosk.sqlite.damaged-<time>`, never
///    deleted; the backup is copied in with the online backup API, fsynced, renamed into place;
/// 5. the mark is set to the backup's last event.
public enum Restore {
    public struct Outcome: Sendable {
        /// Where the previous file went (nil when there was none).
        public var setAside: String?
        /// The restored log's last seq and day.
        public var lastSeq: Int64
        public var lastDay: String
        /// Events the mark knew of that the backup lacks (empty when none were lost).
        public var lost: ClosedRange<Int64>?

        public var text: String {
            var s = "restored: the event log now ends at #\(lastSeq)\(lastDay.isEmpty ? "" : " (\(lastDay))")\n"
            if let setAside { s += "the previous file is kept as \(setAside)\n" }
            if let lost { s += "LOST: events #\(lost.lowerBound)…#\(lost.upperBound) are not in this backup\n" }
            return s
        }
    }

    public static func run(backup: String, into db: String, acceptLoss: Bool, now: Date = Date()) throws -> Outcome {
        if MarkFile.isHeld(database: db) {
            throw StorageError(
                .locked, path: db, message: "a kioskd is using this state folder",
                hint: "stop it first (systemctl stop kioskd), then run kioskctl restore again")
        }
        let check = StorageCheckReport.run(path: backup)
        if !check.isSound {
            throw StorageError(
                .corrupt, path: backup, message: "the backup is damaged too: \(check.problems.prefix(3).joined(separator: "; "))",
                hint: "try an older file in backups/ (`kioskctl check` does not change anything)")
        }
        let (version, lastSeq, lastDay) = try facts(of: backup)
        if version < 1 || version > EventStore.currentSchemaVersion {
            throw StorageError(
                .notAKioskDatabase, path: backup,
                message: "has schema version \(version); this kioskctl restores versions 1…\(EventStore.currentSchemaVersion)",
                hint: "choose a backup made by this kiosk")
        }
        let mark = try? StorageMark.read(forDatabase: db)
        var lost: ClosedRange<Int64>?
        if let mark, mark.seq > lastSeq {
            lost = (lastSeq + 1)...mark.seq
            if !acceptLoss {
                throw StorageError(
                    .lostEvents, path: backup,
                    message: "ends at event #\(lastSeq) but this kiosk stored up to #\(mark.seq) (\(mark.day)): events #\(lastSeq + 1)…#\(mark.seq) would be lost and ticket numbers of \(mark.day) could be given twice",
                    hint: "use a newer backup, or add --accept-loss to restore it anyway knowing that")
            }
        }
        var setAside: String?
        if FileManager.default.fileExists(atPath: db) {
            let aside = db + ".damaged-" + Backups.stamp(now)
            try move(db, aside)
            for suffix in ["-wal", "-journal"] where FileManager.default.fileExists(atPath: db + suffix) {
                try move(db + suffix, aside + suffix)
            }
            try? FileManager.default.removeItem(atPath: db + "-shm")
            setAside = aside
        }
        let source = try SQLiteConnection(path: backup, flags: SQLITE_OPEN_READONLY)
        defer { source.close() }
        try Backups.write(from: source, to: db)
        let markFile = try MarkFile(database: db)
        defer { markFile.close() }
        try markFile.write(StorageMark(seq: lastSeq, day: lastDay))
        return Outcome(setAside: setAside, lastSeq: lastSeq, lastDay: lastDay, lost: lost)
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
                .permission, path: from, message: "cannot move the file aside to \(to): \(String(cString: strerror(e)))",
                hint: "run kioskctl restore as the user kioskd runs as, with the state folder writable")
        }
    }
}
