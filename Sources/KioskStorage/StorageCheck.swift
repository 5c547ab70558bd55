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

/// # Checking the file before trusting it
///
/// SQLite answers the pages it is asked for and says nothing about the others, so a file with
/// 4 KB of garbage in the middle, a dropped table or an emptied file can be opened and written
/// to for days. Two checks close that gap:
///
/// - **at every open** (kioskd, kioskctl): the file is not empty, `PRAGMA quick_check` passes
///   (page structure, O(size) but no index cross-check: well under a second for a year of
///   events), and every table of the schema is there. kioskd adds the mark check
///   (`StorageMark`): the log must reach the last event it ever committed.
/// - **on request** (`kioskctl check`): `PRAGMA integrity_check`, `PRAGMA foreign_key_check`
///   and the log's own rules: seq 1, 2, 3 … without gaps (but those `events.lost` declares), no ticket label issued twice in a day,
///   and the mark.
///
/// A failed check at open is a `StorageError` of kind `.corrupt` (or `.lostEvents`) that names
/// what is wrong and says what to do; kioskd then refuses the file and shows residents a
/// neutral screen, never the error.
extension EventStore {
    /// Every table the current schema has (`Schema.swift`), for the open check.
    static let expectedTables = [
        "events", "tickets", "counters", "cases", "ratings", "sync_state", "sync_receipts", "command_outcomes",
        "pulled_cases", "case_contacts",
    ]

    /// What to do about a damaged file, for every message that names damage.
    static let damageAdvice =
        "stop kioskd, run `kioskctl check` for the details, then `kioskctl restore` with the newest file in the state folder's backups/"

    /// Throws `.corrupt` when the database file is missing or empty (0 bytes) while the mark says
    /// it held events (or, for an empty file, backups exist): SQLite would quietly make a new,
    /// empty database of it and the kiosk would number the day's tickets again.
    static func refuseEmptied(path: String) throws {
        guard let size = Posix.fileSize(path) else {
            if let mark = try? StorageMark.read(forDatabase: path), mark.seq > 0 {
                throw StorageError(
                    .corrupt, path: path, message: "is missing but held \(mark.seq) events (last on \(mark.day), says \(Path.lastComponent(of: path)).mark); a new database is not made in its place",
                    hint: "put the file back, or run `kioskctl restore` with the newest file in the state folder's backups/")
            }
            return
        }
        guard size == 0 else { return }
        let mark = try? StorageMark.read(forDatabase: path)
        let hasBackups = !(Backups.list(folder: Backups.folder(forDatabase: path))).isEmpty
        guard mark != nil || hasBackups else { return }  // a file created and never written (killed at first start)
        var message = "is empty (0 bytes)"
        if let mark, mark.seq > 0 { message += " but held \(mark.seq) events (last on \(mark.day))" }
        throw StorageError(
            .corrupt, path: path, message: message + "; it is not replaced by a new database",
            hint: "keep it for inspection and run `kioskctl restore` with the newest file in the state folder's backups/")
    }

    /// Throws `.notAKioskDatabase` when a file without a kiosk schema version has tables.
    func refuseForeign() throws {
        let tables = try conn.scalarInt(
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            doing: "inspecting the file") ?? 0
        if tables > 0 {
            throw StorageError(
                .notAKioskDatabase, path: path,
                message: "is a SQLite database from another program (it has tables but no kiosk schema version)",
                hint: "move it aside or choose another --state-dir")
        }
    }

    /// `PRAGMA quick_check` (at most `limit` findings): [] when the file is sound.
    func quickCheckFindings(limit: Int = 10) throws -> [String] {
        try pragmaFindings("PRAGMA quick_check(\(limit))", doing: "checking the file (quick_check)")
    }

    func pragmaFindings(_ sql: String, doing: String) throws -> [String] {
        var lines: [String] = []
        try conn.query(sql, doing: doing) { r in lines.append(r.text(0) ?? "") }
        return lines == ["ok"] ? [] : lines
    }

    /// The schema's tables that the file lacks.
    func missingTables() throws -> [String] {
        var present = Set<String>()
        try conn.query("SELECT name FROM sqlite_schema WHERE type = 'table'", doing: "listing the tables") { r in
            present.insert(r.text(0) ?? "")
        }
        return Self.expectedTables.filter { !present.contains($0) }
    }

    /// The open check of the pages (`quick_check`). Throws `.corrupt` naming the damage.
    func verifyPages() throws {
        let findings: [String]
        do { findings = try quickCheckFindings() } catch let e as StorageError where e.kind == .corrupt || e.kind == .notAKioskDatabase {
            throw StorageError(
                .corrupt, path: path, message: "is damaged: \(e.message)", hint: Self.damageAdvice,
                sqliteMessage: e.sqliteMessage, sqliteCode: e.sqliteCode)
        }
        if !findings.isEmpty {
            throw StorageError(
                .corrupt, path: path, message: "is damaged (quick_check: \(findings.prefix(3).joined(separator: "; ")))",
                hint: Self.damageAdvice)
        }
    }

    /// The open check of the schema: every table of the current version is there. Throws
    /// `.corrupt` naming the missing tables.
    func verifyTables() throws {
        let missing = try missingTables()
        if !missing.isEmpty {
            throw StorageError(
                .corrupt, path: path,
                message: "lacks the table\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) of schema version \(try schemaVersion())",
                hint: Self.damageAdvice)
        }
    }

    /// Throws `.lostEvents` when the log ends before the last event this kiosk committed.
    func verifyAgainstMark() throws {
        guard let mark = try StorageMark.read(forDatabase: path), mark.seq > 0 else { return }
        // Checked before any migration writes: a file that lost its WAL right after it was made
        // has no tables at all (schema version 0), and its log ends at #0.
        let hasEvents = try !missingTables().contains("events")
        if try !hasEvents && schemaVersion() > 0 { return }  // verifyTables names the missing table
        let last = hasEvents ? try lastSequence() : 0
        if last < mark.seq {
            throw StorageError(
                .lostEvents, path: path,
                message: "ends at event #\(last) but event #\(mark.seq) (\(mark.day)) was stored before: events #\(last + 1)…#\(mark.seq) are lost "
                    + "(was the -wal file removed, or an older copy put back?); kioskd will not start, so that no ticket number of \(mark.day) is given twice",
                hint: "keep the folder as it is for inspection; `kioskctl check` shows the details; `kioskctl restore FILE --accept-loss` puts a backup back knowing these events are gone")
        }
    }
}

/// The findings of `kioskctl check` on one database file.
public struct StorageCheckReport: Sendable {
    public var path: String
    /// What is wrong, one finding a line; empty when the file is sound.
    public var problems: [String] = []
    /// What was looked at (counts, last seq, mark), for the operator.
    public var facts: [String] = []
    public var isSound: Bool { problems.isEmpty }

    /// Runs every check on `path` (read-only; safe while kioskd runs). Never throws: what cannot be
    /// checked is itself a finding.
    public static func run(path: String) -> StorageCheckReport {
        var report = StorageCheckReport(path: path)
        guard let size = Posix.fileSize(path) else {
            report.problems.append("no database file here")
            return report
        }
        report.facts.append("file: \(size) bytes")
        let mark: StorageMark?
        do { mark = try StorageMark.read(forDatabase: path) } catch {
            mark = nil
            report.problems.append("\(error)")
        }
        if size == 0 {
            report.problems.append("the file is empty (0 bytes)" + (mark.map { " but held \($0.seq) events" } ?? ""))
            return report
        }
        let conn: SQLiteConnection
        do { conn = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY) } catch {
            report.problems.append("cannot open: \(error)")
            return report
        }
        defer { conn.close() }
        func step(_ what: String, _ body: () throws -> Void) {
            do { try body() } catch let e as StorageError {
                report.problems.append("\(what): \(e.message)\(e.sqliteMessage.map { " [sqlite: \($0)]" } ?? "")")
            } catch { report.problems.append("\(what): \(error)") }
        }
        step("integrity_check") {
            var lines: [String] = []
            try conn.query("PRAGMA integrity_check(50)", doing: "checking the file (integrity_check)") { r in lines.append(r.text(0) ?? "") }
            if lines != ["ok"] { report.problems += lines.map { "integrity_check: \($0)" } }
        }
        step("schema") {
            let version = try conn.scalarInt("PRAGMA user_version", doing: "reading the schema version") ?? 0
            report.facts.append("schema version \(version) (this kioskctl: \(EventStore.currentSchemaVersion))")
            var present = Set<String>()
            try conn.query("SELECT name FROM sqlite_schema WHERE type = 'table'", doing: "listing the tables") { r in present.insert(r.text(0) ?? "") }
            let missing = EventStore.expectedTables.filter { !present.contains($0) }
            if version == EventStore.currentSchemaVersion && !missing.isEmpty {
                report.problems.append("missing tables: \(missing.joined(separator: ", "))")
            } else if version == 0 {
                report.problems.append("not a kiosk database (schema version 0)")
            }
        }
        step("foreign_key_check") {
            try conn.query("PRAGMA foreign_key_check", doing: "checking references (foreign_key_check)") { r in
                report.problems.append("foreign key: \(r.text(0) ?? "?") row \(r.int64(1).map(String.init) ?? "?") refers to a missing \(r.text(2) ?? "?") row")
            }
        }
        step("event log") {
            var count: Int64 = 0, last: Int64 = 0
            let hasEvents = try conn.scalarInt(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name = 'events'", doing: "looking for the event log") == 1
            if !hasEvents {
                report.facts.append("events: no event log table")
                if let mark, mark.seq > 0 {
                    report.problems.append("events #1…#\(mark.seq) are lost: the mark says #\(mark.seq) was stored (on \(mark.day)), the file has no event log")
                }
                return
            }
            try conn.query("SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM events", doing: "counting events") { r in
                count = r.int64(0) ?? 0; last = r.int64(1) ?? 0
            }
            report.facts.append("events: \(count), last #\(last)")
            if count > 0 && count != last {
                // Seqs missing from 1…last, except those an `events.lost` event declares lost
                // (a restore that lacked them: `Restore`).
                var gaps: [String] = []
                var declared: [String] = []
                try conn.query(
                    """
                    WITH s(seq) AS (SELECT 0 UNION ALL SELECT seq FROM events),
                    gaps(a, b) AS (
                        SELECT seq + 1, (SELECT MIN(n.seq) FROM events n WHERE n.seq > s.seq) - 1 FROM s
                        WHERE seq < (SELECT MAX(seq) FROM events) AND NOT EXISTS (SELECT 1 FROM events n WHERE n.seq = s.seq + 1))
                    SELECT a, b, EXISTS (SELECT 1 FROM events l WHERE l.type = 'events.lost'
                        AND json_extract(l.payload, '$.lostFrom') <= a AND json_extract(l.payload, '$.lostThrough') >= b)
                    FROM gaps ORDER BY a
                    """, doing: "looking for gaps in the event log") { r in
                    let range = "#\(r.int64(0) ?? 0)…#\(r.int64(1) ?? 0)"
                    if r.int64(2) == 1 { declared.append(range) } else { gaps.append(range) }
                }
                if !declared.isEmpty { report.facts.append("declared lost (events.lost): \(declared.prefix(5).joined(separator: ", "))") }
                if !gaps.isEmpty {
                    report.problems.append("the event log has gaps no events.lost declares: \(gaps.prefix(5).joined(separator: ", "))")
                }
            }
            try conn.query(
                """
                SELECT day, json_extract(payload, '$.ticket'), COUNT(*) FROM events WHERE type = 'ticket.issued'
                GROUP BY day, json_extract(payload, '$.ticket') HAVING COUNT(*) > 1 ORDER BY day LIMIT 10
                """, doing: "looking for ticket numbers given twice") { r in
                report.problems.append("ticket \(r.text(1) ?? "?") was issued \(r.int64(2) ?? 0) times on \(r.text(0) ?? "?")")
            }
            if let mark {
                report.facts.append("mark: event #\(mark.seq) (\(mark.day.isEmpty ? "-" : mark.day))")
                if last < mark.seq {
                    report.problems.append("events #\(last + 1)…#\(mark.seq) are lost: the mark says #\(mark.seq) was stored (on \(mark.day)), the log ends at #\(last)")
                }
            } else {
                report.facts.append("mark: none")
            }
        }
        return report
    }

    /// The text `kioskctl check` prints.
    public var text: String {
        var s = "\(path)\n" + facts.map { "  \($0)\n" }.joined()
        if problems.isEmpty { return s + "ok: no damage found\n" }
        s += "DAMAGED: \(problems.count) finding(s)\n" + problems.map { "  - \($0)\n" }.joined()
        s += "What to do: stop kioskd, then `kioskctl restore FILE` with the newest file of \(Backups.folder(forDatabase: path))/ "
            + "(`kioskctl restore` alone lists them); this file is kept aside, not deleted\n"
        return s
    }
}
