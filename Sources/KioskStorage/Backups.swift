import CSQLite
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskCore
import KioskSystem

#if canImport(Glibc)
    import Glibc
#endif

/// # Local backups: `<state-dir>/backups/kiosk-<kind>-<UTC time>.sqlite`
///
/// Made with SQLite's online backup API, so each is a consistent snapshot even while kioskd
/// writes, and a single self-contained file (no `-wal`). Kinds: `daily` (the first start or tick
/// of each UTC day), `before-vN` (before a schema migration to version N), `manual`
/// (`kioskctl backup`). The newest `keep` of each kind are kept. A backup is written to a
/// temporary name, fsynced, then renamed, so a half-written backup never carries a backup's name.
///
/// The decisions (is one due, which to delete) are pure functions of the file names.
public enum Backups {
    /// How many of each kind are kept.
    public static let keep = 3

    /// `<folder of db>/backups`.
    public static func folder(forDatabase db: String) -> String {
        Path.join(Path.folder(of: db), "backups")
    }

    /// The backup files in `folder`, by name (oldest first within a kind: names sort by time).
    public static func list(folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("kiosk-") && $0.hasSuffix(".sqlite") }.sorted()
    }

    /// "20261203T220000Z" for a UTC instant.
    public static func stamp(_ date: Date) -> String {
        let t = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = CivilDate.floorDiv(t, 86_400), seconds = Int(t - days * 86_400)
        let c = CivilDate.fromDays(days)
        return String(cFormat: "%04d%02d%02dT%02d%02d%02dZ", c.year, c.month, c.day, seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// "kiosk-daily-20261203T220000Z.sqlite".
    public static func name(kind: String, at date: Date) -> String { "kiosk-\(kind)-\(stamp(date)).sqlite" }

    /// The kind of a backup's name ("daily", "before-v8", "manual"), nil for other files.
    static func kind(of name: String) -> String? {
        guard name.hasPrefix("kiosk-"), name.hasSuffix("Z.sqlite") else { return nil }
        let middle = name.dropFirst("kiosk-".count).dropLast(".sqlite".count)
        guard let dash = middle.lastIndex(of: "-") else { return nil }
        return String(middle[..<dash])
    }

    /// True when no daily backup was made on the UTC day of `now`.
    public static func dailyDue(existing names: [String], now: Date) -> Bool {
        let today = "kiosk-daily-" + stamp(now).prefix(8)
        return !names.contains { $0.hasPrefix(today) }
    }

    /// The names to delete so that only the newest `keep` of each kind remain.
    public static func toPrune(_ names: [String], keep: Int = Backups.keep) -> [String] {
        var byKind: [String: [String]] = [:]
        for n in names { if let k = kind(of: n) { byKind[k, default: []].append(n) } }
        return byKind.values.flatMap { list in list.sorted().dropLast(keep) }.sorted()
    }

    /// Copies the database `source` (an open connection) to `target` through a temporary file,
    /// fsynced and renamed into place.
    static func write(from source: SQLiteConnection, to target: String) throws {
        let folder = Path.folder(of: target)
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw StorageError(
                .permission, path: folder, message: "cannot create the backup folder",
                hint: "check that kioskd may write the state folder: \(errorText(error))")
        }
        let temporary = target + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let destination = try SQLiteConnection(path: temporary, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            defer { destination.close() }
            try source.backup(into: destination, doing: "writing the backup \(target)")
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        try syncFile(temporary)
        if rename(temporary, target) != 0 {
            let e = errno
            try? FileManager.default.removeItem(atPath: temporary)
            throw StorageError(.io, path: target, message: "cannot put the backup in place: \(String(cString: strerror(e)))")
        }
        syncFolder(folder)
    }

    static func syncFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            let e = errno
            if fd >= 0 { close(fd) }
            throw StorageError(
                .io, path: path, message: "cannot flush the file to disk: \(String(cString: strerror(e)))",
                hint: e == ENOSPC ? "free some space on the disk holding --state-dir" : "check the disk (dmesg)")
        }
        close(fd)
    }

    static func syncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    /// Deletes the backups beyond `keep` of each kind in `folder`.
    static func prune(folder: String) {
        for name in toPrune(list(folder: folder)) {
            try? FileManager.default.removeItem(atPath: Path.join(folder, name))
        }
    }
}

extension EventStore {
    /// Writes a consistent copy of the database to `target` (any path; the folder is created).
    public func backup(to target: String) throws {
        try Backups.write(from: conn, to: target)
    }

    /// Writes `backups/kiosk-<kind>-<time>.sqlite` and prunes the old ones of that kind.
    /// Returns the file written.
    @discardableResult
    public func backup(kind: String, now: Date = Date()) throws -> String {
        try Self.backup(from: conn, database: path, kind: kind, now: now)
    }

    static func backup(from source: SQLiteConnection, database path: String, kind: String, now: Date) throws -> String {
        let folder = Backups.folder(forDatabase: path)
        let target = Path.join(folder, Backups.name(kind: kind, at: now))
        try Backups.write(from: source, to: target)
        Backups.prune(folder: folder)
        return target
    }

    /// The daily backup, when none was made yet on `now`'s UTC day. Returns the file written.
    @discardableResult
    public func dailyBackupIfDue(now: Date = Date()) throws -> String? {
        try Self.dailyBackupIfDue(database: path, now: now)
    }

    /// The daily backup of the database at `path`, read through a connection of its own: any
    /// thread may run it while kioskd's writer goes on (WAL: the copy is one read snapshot and
    /// blocks no commit). Returns the file written, nil when one was made on `now`'s UTC day.
    public static func dailyBackupIfDue(database path: String, now: Date = Date()) throws -> String? {
        guard Backups.dailyDue(existing: Backups.list(folder: Backups.folder(forDatabase: path)), now: now) else { return nil }
        let source = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY)
        defer { source.close() }
        return try backup(from: source, database: path, kind: "daily", now: now)
    }
}
