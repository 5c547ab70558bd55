import KioskCore
import KioskSystem
import Testing

@testable import KioskStorage

/// kioskd's connection lives as long as the daemon: what it keeps of the file must not grow
/// with the history (a busy office stores about 1.7 MB a week, and the open check reads it all).
@Suite("kioskd's page cache")
struct PageCacheTests {
    @Test func reopeningALargeLogKeepsTheCacheBounded() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath, owner: true)
        // 12,000 stored rows of 400 bytes: a 6 MB file, three times SQLite's default cache.
        try store.conn.exec("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
            INSERT INTO events(kiosk, type, device_time, day, payload)
            SELECT 'k', 'note', '2026-01-01T00:00:00Z', '2026-01-01', printf('%.400c', 'a') FROM n
            """, doing: "filling the log")
        store.close()
        #expect((Posix.fileSize(dir.dbPath) ?? 0) + (Posix.fileSize(dir.dbPath + "-wal") ?? 0) > 5_000_000)

        let reopened = try EventStore(path: dir.dbPath, owner: true)  // quick_check reads every page
        defer { reopened.close() }
        #expect(reopened.conn.pageCacheBytes <= (EventStore.ownerPageCacheKiB + 64) * 1024)
        #expect(try reopened.lastSequence() == 12_000)
    }

    /// kioskd replays the last seven days at every start: read through the day index, SQLite
    /// sorted the week's rows, payloads and all, in memory first (1 MB for a busy week).
    @Test func readingDaysNeverSortsInMemoryAndHonoursAClockSetBack() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath, owner: true)
        defer { store.close() }
        // Days as the clock gave them: the 26th, then the clock set back to the 24th, then the
        // 25th, a day outside the range (the 27th), and the 24th again.
        let days = ["2026-11-26", day1, day2, "2026-11-27", day1, "2026-11-23", day2]
        var recorded: [RecordedEvent] = []
        for (i, day) in days.enumerated() {
            recorded += try store.append((0..<30).map { n in
                event(.ticketIssued, Double(i * 100 + n), day: day, ticket: "A\(i)\(n)") { $0.service = "deposit"; $0.number = n }
            }, kiosk: "kiosk-7")
        }
        let sortsBefore = store.conn.sortsRun
        var read: [RecordedEvent] = []
        try store.forEachEvent(from: day1, through: "2026-11-26") { read.append($0) }
        #expect(read == recorded.filter { (day1...String("2026-11-26")).contains($0.event.day) })
        #expect(read.map(\.seq) == read.map(\.seq).sorted())
        #expect(store.conn.sortsRun == sortsBefore, "the replay sorted its rows in memory")
        // Of one type (the quiet hours' count): by day, then seq, also without a sort.
        var tickets: [RecordedEvent] = []
        try store.forEachEvent(from: day1, through: "2026-11-26", type: .ticketIssued) { tickets.append($0) }
        #expect(tickets == read.sorted { ($0.event.day, $0.seq) < ($1.event.day, $1.seq) })
        #expect(store.conn.sortsRun == sortsBefore, "the count of one type sorted its rows in memory")
        var none: [RecordedEvent] = []
        try store.forEachEvent(from: "2026-12-01", through: "2026-12-07") { none.append($0) }
        #expect(none.isEmpty)
    }
}
