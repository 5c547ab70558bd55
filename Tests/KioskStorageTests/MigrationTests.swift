import CSQLite
import Foundation
import KioskCore
import Testing

@testable import KioskStorage

@Suite("Schema migrations")
struct MigrationTests {
    /// A database as the first release (schema version 1) left it: the v1 DDL written out here
    /// rather than taken from `migrations`, rollback journal, events and v1 ticket rows.
    func buildVersion1Database(at path: String, batches: [[KioskEvent]], kiosk: String) throws {
        let db = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        defer { db.close() }
        try db.exec(
            """
            PRAGMA journal_mode = DELETE;
            BEGIN;
            CREATE TABLE events (
                seq INTEGER PRIMARY KEY, kiosk TEXT NOT NULL, type TEXT NOT NULL,
                device_time TEXT NOT NULL, day TEXT NOT NULL, payload TEXT NOT NULL);
            CREATE INDEX events_day ON events(day, seq);
            CREATE TABLE tickets (
                id INTEGER PRIMARY KEY, day TEXT NOT NULL, label TEXT NOT NULL, service TEXT NOT NULL,
                number INTEGER, priority INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'waiting',
                issued_at TEXT NOT NULL, called_at TEXT, counter INTEGER, started_at TEXT, finished_at TEXT,
                estimate_low INTEGER, estimate_high INTEGER, UNIQUE (day, label));
            """, doing: "building a v1 database")
        let encoder = KioskEvent.makeEncoder()
        let iso = ISO8601DateFormatter()
        var seq: Int64 = 0
        for e in batches.flatMap({ $0 }) {
            seq += 1
            try db.run(
                "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)",
                [.int(seq), .text(kiosk), .text(e.type.rawValue), .text(iso.string(from: e.time)), .text(e.day),
                 .text(String(decoding: try encoder.encode(e), as: UTF8.self))],
                doing: "inserting a v1 event")
            // v1 only knew issue and call; the upgrade must rebuild everything else.
            if e.type == .ticketIssued, let label = e.ticket {
                try db.run(
                    "INSERT INTO tickets (day, label, service, number, issued_at) VALUES (?, ?, ?, ?, ?)",
                    [.text(e.day), .text(label), SQLValue(e.service), SQLValue(e.number), .text(iso.string(from: e.time))],
                    doing: "inserting a v1 ticket")
            }
        }
        try db.exec("PRAGMA user_version = 1; COMMIT", doing: "building a v1 database")
    }

    func freshSnapshot(_ dir: TempDir, batches: [[KioskEvent]], kiosk: String) throws -> ProjectionSnapshot {
        let store = try EventStore(path: dir.path("fresh.sqlite"))
        defer { store.close() }
        for b in batches { try store.append(b, kiosk: kiosk) }
        return try ProjectionSnapshot(store)
    }

    @Test func anEmptyFileIsMigratedToTheCurrentSchema() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.dbPath, contents: Data())
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        #expect(try store.schemaVersion() == EventStore.currentSchemaVersion)
        #expect(try store.journalMode() == "wal")
        for b in sampleBatches() { try store.append(b, kiosk: "k") }
        #expect(try ProjectionSnapshot(store) == freshSnapshot(dir, batches: sampleBatches(), kiosk: "k"))
    }

    @Test func aVersion1DatabaseWithEventsUpgradesToTheSameStateAsAFreshOne() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let batches = sampleBatches()
        try buildVersion1Database(at: dir.dbPath, batches: batches, kiosk: "kiosk-3")

        // kioskctl must not read a v1 file (it lacks the v2 tables), and says what to do.
        let old = expectStorageError { _ = try EventStore(readOnlyPath: dir.dbPath) }
        #expect(old?.kind == .olderSchema)
        #expect(old?.description.contains("start kioskd") == true)

        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        #expect(try store.schemaVersion() == EventStore.currentSchemaVersion)
        #expect(try store.journalMode() == "wal")
        #expect(try store.integrityCheck() == "ok")
        let upgraded = try ProjectionSnapshot(store)
        let fresh = try freshSnapshot(dir, batches: batches, kiosk: "kiosk-3")
        #expect(upgraded == fresh)
        #expect(upgraded.tickets[day1]?.first?.status == "finished")
        #expect(upgraded.cases.count == 1)

        // And it keeps going: the next append continues the seqs.
        let next = try store.append(
            [event(.ticketIssued, 90000, day: day2, ticket: "A002") { $0.service = "deposit" }], kiosk: "kiosk-3")
        #expect(next.first?.seq == Int64(batches.flatMap { $0 }.count + 1))
    }

    @Test func reopeningACurrentDatabaseChangesNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        for b in sampleBatches() { try store.append(b, kiosk: "k") }
        let before = try ProjectionSnapshot(store)
        store.close()
        let again = try EventStore(path: dir.dbPath)
        defer { again.close() }
        #expect(try ProjectionSnapshot(again) == before)
        try again.rebuildProjections()
        #expect(try ProjectionSnapshot(again) == before)
    }

    @Test func aNewerSchemaIsRefusedAndLeftAlone() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try EventStore(path: dir.dbPath).close()
        let raw = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READWRITE)
        try raw.exec("PRAGMA user_version = 9", doing: "bumping the version")
        raw.close()

        for open in [{ _ = try EventStore(path: dir.dbPath) }, { _ = try EventStore(readOnlyPath: dir.dbPath) }] {
            let error = expectStorageError(open)
            #expect(error?.kind == .newerSchema)
            #expect(
                error?.description.contains("kiosk.sqlite has schema version 9 but this kioskd knows up to \(EventStore.currentSchemaVersion)") == true)
            #expect(error?.description.contains("upgrade kioskd") == true)
        }
        let check = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READONLY)
        defer { check.close() }
        #expect(try check.scalarInt("PRAGMA user_version", doing: "checking") == 9)
    }

    @Test func anotherProgramsSQLiteFileIsNotTakenOver() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let raw = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        try raw.exec("CREATE TABLE notes (body TEXT)", doing: "creating")
        raw.close()
        let error = expectStorageError { _ = try EventStore(path: dir.dbPath) }
        #expect(error?.kind == .notAKioskDatabase)
        let check = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READONLY)
        defer { check.close() }
        #expect(try check.scalarInt("SELECT COUNT(*) FROM sqlite_schema", doing: "checking") == 1)
    }
}
