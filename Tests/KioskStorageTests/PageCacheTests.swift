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
}
