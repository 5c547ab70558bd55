import CSQLite
import Foundation
import KioskCore
import Testing

@testable import KioskStorage

#if canImport(Glibc)
    import Glibc
#endif

/// `count` tickets of day1 as one-event batches (labels A1, A2, …).
func tickets(_ count: Int, from first: Int = 1) -> [[KioskEvent]] {
    (first..<(first + count)).map { i in
        [event(.ticketIssued, Double(i), ticket: "A\(i)") { $0.service = "deposit"; $0.number = i }]
    }
}

/// `count` tickets in batches of up to 500 (few fsyncs: for filling a file quickly).
func ticketChunks(_ count: Int) -> [[KioskEvent]] {
    let all = tickets(count).flatMap { $0 }
    return stride(from: 0, to: all.count, by: 500).map { Array(all[$0..<min($0 + 500, all.count)]) }
}

/// A kiosk's store (`owner`, as kioskd opens it) filled with `count` tickets, then closed.
func filledStore(_ dir: TempDir, count: Int) throws {
    let store = try EventStore(path: dir.dbPath, owner: true)
    for b in ticketChunks(count) { try store.append(b, kiosk: "k1") }
    store.close()
}

/// A kiosk's store with tickets #1…#`stored`, backed up after #`backedUp`; returns the backup.
func storeWithBackup(_ dir: TempDir, backedUp: Int, stored: Int) throws -> String {
    let store = try EventStore(path: dir.dbPath, owner: true)
    defer { store.close() }
    for b in tickets(backedUp) { try store.append(b, kiosk: "k1") }
    let backup = try store.backup(kind: "manual")
    for b in tickets(stored - backedUp, from: backedUp + 1) { try store.append(b, kiosk: "k1") }
    return backup
}

/// Overwrites `bytes` bytes at `offset` of `path` with random bytes (a damaged sector).
func scribble(_ path: String, at offset: UInt64, bytes: Int) throws {
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seek(toOffset: offset)
    var rng = SystemRandomNumberGenerator()
    try handle.write(contentsOf: Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &rng) }))
    try handle.synchronize()
}

func fileSize(_ path: String) -> UInt64 {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
}

@Suite("Storage integrity: detect and refuse")
struct StorageIntegrityTests {
    @Test func fourKilobytesOfGarbageInTheMiddleAreRefusedByKioskdAndKioskctl() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 3000)
        let size = fileSize(dir.dbPath)
        #expect(size > 64 * 1024, "the events reached the main file at close (TRUNCATE checkpoint)")
        try scribble(dir.dbPath, at: (size / 2 / 4096) * 4096, bytes: 4096)

        let writer = expectStorageError { _ = try EventStore(path: dir.dbPath, owner: true) }
        #expect(writer?.kind == .corrupt)
        #expect(writer?.description.contains("damaged") == true, "\(writer.map { "\($0)" } ?? "")")
        #expect(writer?.description.contains("kioskctl restore") == true)
        let reader = expectStorageError { _ = try EventStore(readOnlyPath: dir.dbPath) }
        #expect(reader?.kind == .corrupt)
        let report = StorageCheckReport.run(path: dir.dbPath)
        #expect(!report.isSound)
        #expect(report.text.contains("DAMAGED"))
    }

    @Test func aDroppedTableIsNamedAndRefused() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 5)
        let raw = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READWRITE)
        try raw.exec("DROP TABLE tickets", doing: "dropping")
        raw.close()
        for open in [{ _ = try EventStore(path: dir.dbPath, owner: true) }, { _ = try EventStore(path: dir.dbPath) },
                     { _ = try EventStore(readOnlyPath: dir.dbPath) }] {
            let e = expectStorageError(open)
            #expect(e?.kind == .corrupt)
            #expect(e?.message.contains("lacks the table tickets") == true, "\(e.map { "\($0)" } ?? "")")
        }
        #expect(StorageCheckReport.run(path: dir.dbPath).problems.contains("missing tables: tickets"))
    }

    @Test func aZeroLengthDatabaseIsNotQuietlyReplaced() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 7)
        try Data().write(to: URL(fileURLWithPath: dir.dbPath))
        let e = expectStorageError { _ = try EventStore(path: dir.dbPath, owner: true) }
        #expect(e?.kind == .corrupt)
        #expect(e?.message.contains("is empty (0 bytes) but held 7 events") == true, "\(e.map { "\($0)" } ?? "")")
        #expect(fileSize(dir.dbPath) == 0, "the emptied file is left as it was")
        #expect(expectStorageError { _ = try EventStore(readOnlyPath: dir.dbPath) }?.kind == .corrupt)
    }

    @Test func aDeletedDatabaseWithAMarkIsNotRecreated() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 4)
        try FileManager.default.removeItem(atPath: dir.dbPath)
        let e = expectStorageError { _ = try EventStore(path: dir.dbPath, owner: true) }
        #expect(e?.kind == .corrupt)
        #expect(e?.message.contains("is missing but held 4 events") == true, "\(e.map { "\($0)" } ?? "")")
        #expect(!FileManager.default.fileExists(atPath: dir.dbPath), "no new database was made")
    }

    @Test func aForeignFileIsRefusedAndLeftAsItWas() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let other = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        try other.exec("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos (name) VALUES ('x')", doing: "making another program's file")
        other.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.dbPath))
        #expect(expectStorageError { _ = try EventStore(path: dir.dbPath, owner: true) }?.kind == .notAKioskDatabase)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.dbPath)) == before)

        let text = dir.path("notes.sqlite")
        try Data(String(repeating: "not a database\n", count: 500).utf8).write(to: URL(fileURLWithPath: text))
        let e = expectStorageError { _ = try EventStore(path: text, owner: true) }
        #expect(e?.kind == .corrupt || e?.kind == .notAKioskDatabase, "\(e.map { "\($0)" } ?? "")")
        #expect(e?.description.contains("not a SQLite database") == true, "\(e.map { "\($0)" } ?? "")")
    }

    @Test func aZeroLengthFileWithNoHistoryIsAFirstStart() throws {
        // A kioskd killed between creating the file and writing its first page: nothing was ever stored.
        let dir = try TempDir()
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.dbPath, contents: Data())
        let store = try EventStore(path: dir.dbPath, owner: true)
        #expect(try store.lastSequence() == 0)
        store.close()
    }

    /// The state after "the -wal file deleted while kioskd runs, then kill -9": the main file
    /// and the mark, without the WAL.
    @Test func aLostWALIsDetectedByTheMarkAndRefused() throws {
        let dir = try TempDir()
        let copy = try TempDir()
        defer { dir.remove(); copy.remove() }
        let store = try EventStore(path: dir.dbPath, owner: true)
        for b in tickets(12) { try store.append(b, kiosk: "k1") }
        try FileManager.default.copyItem(atPath: dir.dbPath, toPath: copy.dbPath)
        try FileManager.default.copyItem(atPath: dir.dbPath + ".mark", toPath: copy.dbPath + ".mark")
        store.close()
        #expect(try StorageMark.read(forDatabase: copy.dbPath) == StorageMark(seq: 12, day: day1))

        let e = expectStorageError { _ = try EventStore(path: copy.dbPath, owner: true) }
        #expect(e?.kind == .lostEvents)
        #expect(e?.message.contains("#12") == true && e?.message.contains("given twice") == true, "\(e.map { "\($0)" } ?? "")")
        #expect(expectStorageError { _ = try EventStore(readOnlyPath: copy.dbPath) }?.kind == .lostEvents)
        #expect(StorageCheckReport.run(path: copy.dbPath).problems.contains { $0.contains("are lost") })
        // The refusal changed nothing: the intact folder still opens.
        let again = try EventStore(path: dir.dbPath, owner: true)
        #expect(try again.lastSequence() == 12)
        again.close()
    }

    @Test func regularCheckpointsKeepTheMainFileCloseBehind() throws {
        let dir = try TempDir()
        let copy = try TempDir()
        defer { dir.remove(); copy.remove() }
        let store = try EventStore(path: dir.dbPath, owner: true)
        defer { store.close() }
        for b in tickets(250) { try store.append(b, kiosk: "k1") }
        // The main file alone (as if the WAL were lost now) holds all but the last < 100 events.
        try FileManager.default.copyItem(atPath: dir.dbPath, toPath: copy.dbPath)
        let alone = try SQLiteConnection(path: copy.dbPath, flags: SQLITE_OPEN_READONLY)
        defer { alone.close() }
        let inMain = try alone.scalarInt("SELECT COUNT(*) FROM events", doing: "counting") ?? 0
        #expect(inMain >= 150, "main file holds \(inMain) of 250 events")
    }

    @Test func checkpointPolicyCountsEventsAndTime() {
        var p = CheckpointPolicy()
        let due = [(1, 0.0), (98, 10), (1, 11), (1, 70), (1, 72)].map { p.committed(events: $0.0, at: t0.addingTimeInterval($0.1)) }
        #expect(due == [false, false, true, false, true])
    }

    @Test func theFullCheckFindsGapsAndTicketsGivenTwice() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 10)
        #expect(StorageCheckReport.run(path: dir.dbPath).isSound)
        let raw = try SQLiteConnection(path: dir.dbPath, flags: SQLITE_OPEN_READWRITE)
        try raw.exec(
            """
            DELETE FROM events WHERE seq = 4;
            INSERT INTO events (seq, kiosk, type, device_time, day, payload)
                SELECT 11, kiosk, type, device_time, day, payload FROM events WHERE seq = 2;
            """, doing: "damaging the log")
        raw.close()
        let report = StorageCheckReport.run(path: dir.dbPath)
        #expect(report.problems.contains { $0.contains("gaps no events.lost declares: #4…#4") }, "\(report.problems)")
        #expect(report.problems.contains("ticket A2 was issued 2 times on \(day1)"), "\(report.problems)")
    }

    @Test func theMarkIsOneFixedLine() throws {
        let mark = StorageMark(seq: 42, day: "2026-12-03")
        #expect(mark.line.utf8.count == StorageMark.width)
        #expect(StorageMark.parse(mark.line) == mark)
        #expect(StorageMark.parse(StorageMark(seq: 0, day: "").line) == StorageMark(seq: 0, day: ""))
        #expect(StorageMark.parse("kiosk-mark 1 seq x day -") == nil)
        let dir = try TempDir()
        defer { dir.remove() }
        _ = FileManager.default.createFile(atPath: dir.dbPath + ".mark", contents: Data())
        #expect(try StorageMark.read(forDatabase: dir.dbPath) == nil, "an empty mark (killed at a first start) is no record")
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir.dbPath + ".mark"))
        #expect(expectStorageError { _ = try StorageMark.read(forDatabase: dir.dbPath) }?.kind == .corrupt)
    }
}
