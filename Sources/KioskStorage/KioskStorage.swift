/// # KioskStorage: the kiosk's event log and current-state tables in one SQLite file
///
/// Every change the kiosk makes (a ticket issued, called, rated; a counter opened; a staff login)
/// is an append-only `KioskEvent` with a per-kiosk sequence number (`seq` = 1, 2, 3, … with no
/// gaps). The event log is the truth: it is what restarts replay and what the central sync will
/// send. Next to it live *projections* — `tickets`, `counters`, `cases`, `ratings` — the current
/// state that `kioskctl status/queue` and reports read without replaying the day.
///
/// **Why one transaction.** `EventStore.append` writes a batch of events *and* the projection
/// rows they change inside a single `BEGIN IMMEDIATE … COMMIT`. So the projections can never
/// disagree with the log (no "ticket called in the log but still waiting in the queue"), and a
/// batch that belongs together (e.g. `service.finished` + `rating.recorded`) is never half
/// stored. If any statement fails — a duplicate ticket label, a full disk — the whole batch is
/// rolled back, the error is rethrown, and the store stays usable.
///
/// **What survives a crash.** The file is `<state-dir>/kiosk.sqlite` in `journal_mode=WAL` with
/// `synchronous=FULL`: `append` returns only after the commit is fsynced to the WAL, so every
/// batch `append` returned for survives a kill -9, a kernel panic or a power cut. A batch that
/// was in flight is either entirely present or entirely absent (SQLite discards uncommitted WAL
/// frames on the next open). Sequence numbers stay contiguous because they are assigned inside
/// the write transaction from `MAX(seq)`. `kiosk-crash-probe` plus the KioskStorage tests kill a
/// writer with SIGKILL hundreds of times to check exactly this.
///
/// **What is refused.** A crash never loses a committed batch, but a person or a failing disk can
/// (a deleted `-wal`, garbage in a page, a dropped table, an emptied file). kioskd's store
/// (`owner`) checks the file at every open and refuses it rather than write on (`StorageCheck`,
/// `StorageMark`); `kioskctl check`, `backup` and `restore` are the way back (`Backups`,
/// `Restore`). Regular checkpoints keep the main file close behind the WAL (`CheckpointPolicy`).
///
/// **Schema.** Versioned migrations (`Schema.swift`) tracked in `PRAGMA user_version`. All pending
/// steps run in one transaction together with the version bump; steps that add projections
/// rebuild them from the event log, so an upgraded file answers exactly like a fresh one. A file
/// from a newer kioskd is refused rather than guessed at.
///
/// `EventStore` is not Sendable: own it from one queue/actor.
import CSQLite
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskCore

public final class EventStore {
    /// The schema version this code creates and understands.
    public static let currentSchemaVersion: Int = 7

    /// The database file.
    public let path: String
    let conn: SQLiteConnection
    let readOnly: Bool
    /// The kiosk's own writer (kioskd): checked in full at open, keeps the mark, checkpoints.
    let owner: Bool
    var markFile: MarkFile?
    var checkpoints = CheckpointPolicy()
    /// The last failure to write the mark or to checkpoint after a commit that did succeed (the
    /// events are stored; kioskd logs this). Nil after the next success.
    public internal(set) var upkeepProblem: String?
    // Made at first use: a start replays events through `StoredEventReader` and writes none
    // before its first frame, and JSON's and ISO 8601's code then stays out of its memory.
    private lazy var encoder = KioskEvent.makeEncoder()
    private lazy var decoder = KioskEvent.makeDecoder()
    private lazy var isoFormatter = Date.ISO8601FormatStyle()
    private lazy var isoFractionalFormatter = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// The page cache of kioskd's connection, in KiB (SQLite's default: 2,000).
    static let ownerPageCacheKiB = 256

    /// The conventional file inside a state folder: `<state-dir>/kiosk.sqlite`.
    public static func defaultPath(stateDirectory: String) -> String {
        Path.join(stateDirectory, "kiosk.sqlite")
    }

    /// Opens (creating the folder and the file when missing) the database for writing, sets
    /// WAL / synchronous=FULL / foreign keys / a 5 s busy timeout, and brings the schema up to
    /// `currentSchemaVersion` (after a `before-vN` backup when the file held an older schema).
    /// Refuses an emptied file and a file that lacks a table of its schema (`StorageCheck.swift`).
    ///
    /// `owner`: this is the kiosk's own writer (kioskd's `KioskService`). It also runs
    /// `PRAGMA quick_check` first, refuses a log that ends before the mark (`StorageMark`), writes
    /// the mark after every commit and checkpoints the WAL regularly (`CheckpointPolicy`).
    public init(path: String, owner: Bool = false) throws {
        self.path = path
        readOnly = false
        self.owner = owner
        let folder = Path.folder(of: path)
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw StorageError(
                    .permission, path: path, message: "cannot create the state folder \(folder)",
                    hint: "check --state-dir and the permissions of its parent folder: \(errorText(error))")
            }
        }
        // SQLite would open a file in an unwritable folder read-only without a word, or fail later
        // with "unable to open database file"; say what is wrong instead.
        if !folder.isEmpty && access(folder, W_OK) != 0 {
            let e = errno
            throw StorageError(
                .permission, path: path,
                message: e == EROFS ? "the state folder \(folder) is on a read-only file system"
                    : "kioskd may not write the state folder \(folder) (\(String(cString: strerror(e))))",
                hint: e == EROFS ? "remount the disk read-write (mount -o remount,rw) or choose another --state-dir; nothing can be stored until then"
                    : "give the user kioskd runs as write access to it (chown/chmod), or choose another --state-dir")
        }
        try Self.refuseEmptied(path: path)
        let existed = FileManager.default.fileExists(atPath: path)
        conn = try SQLiteConnection(
            path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX)
        do {
            try conn.setBusyTimeout(milliseconds: 5000)
            // kioskd's connection lives as long as the daemon: SQLite's default page cache (2 MB)
            // would fill at the open check (quick_check reads every page; a week of a busy office
            // is 1.7 MB) and stay. Appends and the sync read few, recent pages; the rest is in
            // the kernel's page cache, a read away.
            if owner { try conn.exec("PRAGMA cache_size = -\(Self.ownerPageCacheKiB)", doing: "bounding the page cache") }
            if owner && existed { try verifyPages() }
            // Before anything writes (journal_mode=WAL rewrites the header): never touch another program's file.
            if try existed && schemaVersion() == 0 { try refuseForeign() }
            if existed { try verifyAgainstMark() }
            // journal_mode=WAL is persistent in the file and must be set outside a transaction.
            _ = try conn.scalarText("PRAGMA journal_mode = WAL", doing: "switching to WAL journal mode")
            try conn.exec("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", doing: "setting pragmas")
            try migrate()
            try verifyTables()
            if owner {
                let mark = try MarkFile(database: path)
                markFile = mark
                let now = StorageMark(seq: try lastSequence(), day: try latestDay() ?? "")
                if (try? StorageMark.read(forDatabase: path)) != now { try mark.write(now) }
            }
        } catch {
            markFile?.close()
            conn.close()
            throw error
        }
    }

    /// Opens an existing database for reading only (for `kioskctl`): never creates, never
    /// migrates. Fails clearly when the file is missing, is not a kiosk database, or has a
    /// schema other than `currentSchemaVersion`.
    public init(readOnlyPath path: String) throws {
        self.path = path
        readOnly = true
        var isDir = false
        owner = false
        try Self.refuseEmptied(path: path)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw StorageError(
                .missingFile, path: path, message: "no kiosk database here",
                hint: "check --state-dir; kioskd creates kiosk.sqlite when it first starts")
        }
        if isDir {
            throw StorageError(
                .notAKioskDatabase, path: path, message: "is a folder, not a kiosk database",
                hint: "pass the state folder as --state-dir, or the kiosk.sqlite file inside it")
        }
        conn = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX)
        do {
            try conn.setBusyTimeout(milliseconds: 5000)
            try conn.exec("PRAGMA query_only = ON", doing: "opening read-only")
            try verifyPages()
            try verifyAgainstMark()
            let v = try schemaVersion()
            if v == 0 {
                throw StorageError(
                    .notAKioskDatabase, path: path, message: "is not an initialized kiosk database (schema version 0)",
                    hint: "start kioskd once with this --state-dir to create it")
            }
            try Self.checkNotNewer(v, path: path)
            if v < Self.currentSchemaVersion {
                throw StorageError(
                    .olderSchema, path: path,
                    message: "has schema version \(v) but this kioskctl reads version \(Self.currentSchemaVersion)",
                    hint: "start kioskd once with this --state-dir to upgrade the file")
            }
            try verifyTables()
        } catch {
            conn.close()
            throw error
        }
    }

    deinit { conn.close() }

    /// Closes the file; the kiosk's writer first copies the whole WAL into the main file and
    /// empties it (`wal_checkpoint(TRUNCATE)`), so a clean stop leaves one self-contained file.
    /// Further calls throw `StorageError` of kind `.closed`.
    public func close() {
        if owner && conn.isOpen { _ = try? checkpoint(truncate: true) }
        markFile?.close()
        conn.close()
    }

    // MARK: Schema

    /// `PRAGMA user_version`: the last migration applied.
    public func schemaVersion() throws -> Int {
        Int(try conn.scalarInt("PRAGMA user_version", doing: "reading the schema version") ?? 0)
    }

    /// `PRAGMA journal_mode` ("wal" normally).
    public func journalMode() throws -> String {
        try conn.scalarText("PRAGMA journal_mode", doing: "reading the journal mode") ?? ""
    }

    /// `PRAGMA synchronous`: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
    public func synchronousLevel() throws -> Int {
        Int(try conn.scalarInt("PRAGMA synchronous", doing: "reading the synchronous level") ?? -1)
    }

    /// `PRAGMA foreign_keys`.
    public func foreignKeysEnabled() throws -> Bool {
        try conn.scalarInt("PRAGMA foreign_keys", doing: "reading the foreign_keys pragma") == 1
    }

    private static func checkNotNewer(_ v: Int, path: String) throws {
        if v > currentSchemaVersion {
            let name = Path.lastComponent(of: path)
            throw StorageError(
                .newerSchema, path: path,
                message: "\(name) has schema version \(v) but this kioskd knows up to \(currentSchemaVersion)",
                hint: "upgrade kioskd")
        }
    }

    private func migrate() throws {
        try migrate(to: Self.currentSchemaVersion)
    }

    /// Applies the pending migrations up to `target` in one IMMEDIATE transaction (tests use a
    /// lower target to build old files).
    func migrate(to target: Int) throws {
        let before = try schemaVersion()
        try Self.checkNotNewer(before, path: path)
        if before >= target { return }
        if before > 0 {
            do { try backup(kind: "before-v\(target)") } catch {
                throw StorageError(
                    .io, path: path, message: "cannot back up the file before upgrading it from schema version \(before) to \(target): \(error)",
                    hint: "free some space on the disk holding --state-dir or fix the permissions of its backups/ folder; the file is not upgraded without a backup")
            }
        }
        if before == 0 { try refuseForeign() }
        try inTransaction(doing: "upgrading the schema") {
            // Re-read under the write lock: another process may have migrated meanwhile.
            let v = try schemaVersion()
            try Self.checkNotNewer(v, path: path)
            guard v < target else { return }
            var rebuild = false
            for m in migrations where m.version > v && m.version <= target {
                for sql in m.statements {
                    try conn.exec(sql, doing: "upgrading the schema to version \(m.version)")
                }
                rebuild = rebuild || m.rebuildsProjections
            }
            if rebuild { try rebuildProjectionsInTransaction() }
            try conn.exec("PRAGMA user_version = \(target)", doing: "recording schema version \(target)")
        }
    }

    /// Empties the projection tables and refills them from the event log, in one transaction.
    /// For repair after a projection bug; normal operation never needs it.
    public func rebuildProjections() throws {
        try requireWritable()
        try inTransaction(doing: "rebuilding the current state") { try rebuildProjectionsInTransaction() }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound, otherwise SQLite's findings, one a line.
    public func integrityCheck() throws -> String {
        var lines: [String] = []
        try conn.query("PRAGMA integrity_check", doing: "checking the file") { r in
            lines.append(r.text(0) ?? "")
        }
        return lines.joined(separator: "\n")
    }

    // MARK: Transactions

    func requireWritable() throws {
        if readOnly {
            throw StorageError(
                .readOnly, path: path, message: "the event store was opened read-only",
                hint: "only kioskd writes events; this is a bug in the caller")
        }
    }

    func inTransaction<T>(doing: String, _ body: () throws -> T) throws -> T {
        try conn.exec("BEGIN IMMEDIATE", doing: doing)
        do {
            let result = try body()
            try conn.exec("COMMIT", doing: doing)
            return result
        } catch {
            // SQLite may already have rolled back (e.g. on SQLITE_FULL); only roll back if open.
            if conn.inTransaction { try? conn.exec("ROLLBACK", doing: doing) }
            throw error
        }
    }

    // MARK: Events

    /// Appends events in ONE transaction (BEGIN IMMEDIATE … COMMIT), assigning seq = last seq + 1
    /// …, and updates projections. Returns them with seqs. Either all are stored or none
    /// (rollback on any error, then rethrow). When it returns, the batch is on disk (fsynced).
    /// `contacts` (the call-back numbers given with these events) go into `case_contacts` in the
    /// same transaction, never into the log (`Contacts.swift`).
    @discardableResult
    public func append(_ events: [KioskEvent], kiosk: String, contacts: [CaseContact] = []) throws -> [RecordedEvent] {
        guard !events.isEmpty else { return [] }
        try requireWritable()
        let doing = "appending events"
        let recorded = try inTransaction(doing: doing) {
            var seq = try lastSequence()
            var recorded: [RecordedEvent] = []
            recorded.reserveCapacity(events.count)
            for e in events {
                seq += 1
                let payload: String
                do {
                    payload = String(decoding: try encoder.encode(e), as: UTF8.self)
                } catch {
                    throw StorageError(
                        .invalidEvent, path: path, message: "cannot encode \(e.type.rawValue) event: \(error)",
                        hint: "this is a kioskd bug; please report it with the log")
                }
                try conn.run(
                    "INSERT INTO events (seq, kiosk, type, device_time, day, payload) VALUES (?, ?, ?, ?, ?, ?)",
                    [.int(seq), .text(kiosk), .text(e.type.rawValue), .text(timestamp(e.time)), .text(e.day),
                     .text(payload)],
                    doing: doing)
                try project(e, seq: seq)
                recorded.append(RecordedEvent(seq: seq, kiosk: kiosk, event: e))
            }
            for contact in contacts { try keep(contact) }
            return recorded
        }
        if owner, let last = recorded.last { afterCommit(last, count: recorded.count) }
        return recorded
    }

    /// Events with `seq > since`, oldest first, at most `limit`.
    public func events(since seq: Int64 = 0, limit: Int? = nil) throws -> [RecordedEvent] {
        if let limit {
            return try loadEvents(
                "SELECT seq, kiosk, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                [.int(seq), .int(Int64(max(0, limit)))], doing: "reading events")
        }
        return try loadEvents(
            "SELECT seq, kiosk, payload FROM events WHERE seq > ? ORDER BY seq", [.int(seq)], doing: "reading events")
    }

    /// The events of one business day ("2026-11-24"), oldest first.
    public func events(day: String) throws -> [RecordedEvent] {
        try loadEvents(
            "SELECT seq, kiosk, payload FROM events WHERE day = ? ORDER BY seq", [.text(day)],
            doing: "reading the events of \(day)")
    }

    /// The events of the business days `startDay` … `endDay` inclusive, oldest first.
    public func events(from startDay: String, through endDay: String) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachEvent(from: startDay, through: endDay) { events.append($0) }
        return events
    }

    /// The same, each handed to `body` as its row is read: a replay of weeks holds one event at
    /// a time instead of the weeks (a busy week is 5,000 events, several MB as values). `body`
    /// must not use this store. With a `type`, only its events, by day and then `seq` (the same
    /// unless the clock was set back across midnight), for counting.
    ///
    /// Neither makes SQLite sort in memory, which holds every row at once (1 MB for a busy week
    /// at every start's replay): without a type the rows are read in `seq` order straight from
    /// the table, between the days' first and last `seq` (from the `events_day` index), the day
    /// checked on each row (`+day`: not through the index, whose order is the day's); with one,
    /// in the order of the `events_type` index (type, day, seq).
    public func forEachEvent(
        from startDay: String, through endDay: String, type: EventType? = nil, _ body: (RecordedEvent) throws -> Void
    ) throws {
        let doing = "reading the events\(type.map { " of type \($0.rawValue)" } ?? "") of \(startDay)…\(endDay)"
        if let type {
            return try readEvents(
                "SELECT seq, kiosk, payload FROM events WHERE type = ? AND day >= ? AND day <= ? ORDER BY day, seq",
                [.text(type.rawValue), .text(startDay), .text(endDay)], doing: doing, body)
        }
        var range: (first: Int64, last: Int64)?
        try conn.query("SELECT MIN(seq), MAX(seq) FROM events WHERE day >= ? AND day <= ?", [.text(startDay), .text(endDay)], doing: doing) { r in
            if let first = r.int64(0), let last = r.int64(1) { range = (first, last) }
        }
        guard let range else { return }
        try readEvents(
            "SELECT seq, kiosk, payload FROM events WHERE seq >= ? AND seq <= ? AND +day >= ? AND +day <= ? ORDER BY seq",
            [.int(range.first), .int(range.last), .text(startDay), .text(endDay)], doing: doing, body)
    }

    /// The highest stored seq, 0 when empty.
    public func lastSequence() throws -> Int64 {
        try conn.scalarInt("SELECT COALESCE(MAX(seq), 0) FROM events", doing: "reading the last sequence number")
            ?? 0
    }

    /// The number of stored events.
    public func eventCount() throws -> Int64 {
        try conn.scalarInt("SELECT COUNT(*) FROM events", doing: "counting events") ?? 0
    }

    /// The business day of the newest event, nil when empty.
    public func latestDay() throws -> String? {
        try conn.scalarText("SELECT day FROM events ORDER BY seq DESC LIMIT 1", doing: "reading the latest day")
    }

    func loadEvents(_ sql: String, _ args: [SQLValue], doing: String) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try readEvents(sql, args, doing: doing) { events.append($0) }
        return events
    }

    /// Runs `sql` (selecting seq, kiosk, payload) and hands each row's event to `body`, decoded.
    func readEvents(_ sql: String, _ args: [SQLValue], doing: String, _ body: (RecordedEvent) throws -> Void) throws {
        try conn.query(sql, args, doing: doing) { r in
            let seq = r.int64(0) ?? 0
            let event: KioskEvent
            do {
                event = try KioskEvent.decodeStored(r.text(2) ?? "", decoder: decoder)
            } catch {
                throw StorageError(
                    .corrupt, path: path, message: "event \(seq) cannot be read (\(error))",
                    hint: "was the file written by a newer kioskd? Otherwise keep a copy and restore the last backup")
            }
            try body(RecordedEvent(seq: seq, kiosk: r.text(1) ?? "", event: event))
        }
    }

    // MARK: Times

    /// "2026-11-24T07:30:00Z" (UTC, ISO 8601; sorts as text).
    func timestamp(_ date: Date) -> String {
        if date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970 {
            return isoFormatter.format(date)
        }
        return isoFractionalFormatter.format(date)
    }

    func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        return (try? isoFormatter.parse(text)) ?? (try? isoFractionalFormatter.parse(text))
    }
}
