import CSQLite
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A value bound to or read from a SQLite statement.
enum SQLValue: Equatable {
    case null
    case int(Int64)
    case text(String)

    init(_ v: Int?) { self = v.map { .int(Int64($0)) } ?? .null }
    init(_ v: String?) { self = v.map { .text($0) } ?? .null }
    init(_ v: Bool?) { self = v.map { .int($0 ? 1 : 0) } ?? .null }
}

/// A thin, non-Sendable wrapper over one `sqlite3*` connection with a prepared-statement cache.
/// Every failure becomes a `StorageError` naming the file.
final class SQLiteConnection {
    let path: String
    private var handle: OpaquePointer?
    private var cache: [String: OpaquePointer] = [:]

    init(path: String, flags: Int32) throws {
        self.path = path
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        if rc != SQLITE_OK {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(db)
            throw StorageError.sqlite(rc, msg, path: path, doing: "opening")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { close() }

    var isOpen: Bool { handle != nil }

    func close() {
        for (_, stmt) in cache { sqlite3_finalize(stmt) }
        cache.removeAll()
        if let h = handle { sqlite3_close_v2(h) }
        handle = nil
    }

    private func db() throws -> OpaquePointer {
        guard let handle else {
            throw StorageError(.closed, path: path, message: "the event store was used after close()",
                               hint: "this is a kioskd bug; please report it with the log")
        }
        return handle
    }

    func error(_ rc: Int32, doing: String) -> StorageError {
        let msg = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        return StorageError.sqlite(rc, msg, path: path, doing: doing)
    }

    /// Bytes of pages this connection holds in SQLite's page cache now.
    var pageCacheBytes: Int {
        guard let handle else { return 0 }
        var current: Int32 = 0, highest: Int32 = 0
        sqlite3_db_status(handle, SQLITE_DBSTATUS_CACHE_USED, &current, &highest, 0)
        return Int(current)
    }

    /// Runs one or more statements without parameters.
    func exec(_ sql: String, doing: String) throws {
        let db = try db()
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(err)
            throw StorageError.sqlite(rc, msg, path: path, doing: doing)
        }
    }

    func setBusyTimeout(milliseconds: Int32) throws {
        let rc = sqlite3_busy_timeout(try db(), milliseconds)
        if rc != SQLITE_OK { throw error(rc, doing: "setting the busy timeout") }
    }

    var inTransaction: Bool {
        guard let handle else { return false }
        return sqlite3_get_autocommit(handle) == 0
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    private func statement(_ sql: String, doing: String) throws -> OpaquePointer {
        if let s = cache[sql] { return s }
        let db = try db()
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, doing: doing) }
        cache[sql] = stmt
        return stmt
    }

    /// Sorts SQLite ran in memory for this connection's queries (an ORDER BY no index gave):
    /// such a sort holds every row it orders at once, so the long reads must not need one.
    private(set) var sortsRun = 0

    /// Runs `sql` with `args`, calling `row` for each result row.
    func query(_ sql: String, _ args: [SQLValue] = [], doing: String, row: (Row) throws -> Void) throws {
        let stmt = try statement(sql, doing: doing)
        defer {
            sortsRun += Int(sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_SORT, 1))
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        for (i, a) in args.enumerated() {
            let idx = Int32(i + 1)
            let rc: Int32
            switch a {
            case .null: rc = sqlite3_bind_null(stmt, idx)
            case .int(let v): rc = sqlite3_bind_int64(stmt, idx, v)
            case .text(let v): rc = sqlite3_bind_text(stmt, idx, v, -1, kiosk_sqlite_transient())
            }
            if rc != SQLITE_OK { throw error(rc, doing: doing) }
        }
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_ROW {
                try row(Row(stmt: stmt))
            } else if rc == SQLITE_DONE {
                return
            } else {
                throw error(rc, doing: doing)
            }
        }
    }

    /// Runs a statement that returns no rows.
    func run(_ sql: String, _ args: [SQLValue] = [], doing: String) throws {
        try query(sql, args, doing: doing) { _ in }
    }

    /// The first column of the first row, as an integer (nil when no row or NULL).
    func scalarInt(_ sql: String, _ args: [SQLValue] = [], doing: String) throws -> Int64? {
        var result: Int64?
        try query(sql, args, doing: doing) { r in if result == nil { result = r.int64(0) } }
        return result
    }

    func scalarText(_ sql: String, _ args: [SQLValue] = [], doing: String) throws -> String? {
        var result: String?
        var seen = false
        try query(sql, args, doing: doing) { r in if !seen { seen = true; result = r.text(0) } }
        return result
    }

    /// Copies the whole `main` database into `destination` with SQLite's online backup API
    /// (`sqlite3_backup_init/step/finish`): a consistent snapshot even while others write (a
    /// step that meets a lock waits and tries again).
    func backup(into destination: SQLiteConnection, doing: String) throws {
        let src = try db()
        let dst = try destination.db()
        guard let b = sqlite3_backup_init(dst, "main", src, "main") else {
            throw destination.error(sqlite3_errcode(dst), doing: doing)
        }
        var rc: Int32
        var waits = 0
        repeat {
            rc = sqlite3_backup_step(b, -1)
            if rc == SQLITE_BUSY || rc == SQLITE_LOCKED { waits += 1; sqlite3_sleep(50) }
        } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && waits < 200
        sqlite3_backup_finish(b)
        if rc != SQLITE_DONE {
            throw StorageError.sqlite(rc, String(cString: sqlite3_errstr(rc)), path: destination.path, doing: doing)
        }
    }

    /// One result row; valid only inside the `query` callback.
    struct Row {
        let stmt: OpaquePointer
        func isNull(_ i: Int32) -> Bool { sqlite3_column_type(stmt, i) == SQLITE_NULL }
        func int64(_ i: Int32) -> Int64? { isNull(i) ? nil : sqlite3_column_int64(stmt, i) }
        func int(_ i: Int32) -> Int? { int64(i).map { Int($0) } }
        func text(_ i: Int32) -> String? {
            guard !isNull(i), let p = sqlite3_column_text(stmt, i) else { return nil }
            return String(cString: p)
        }
    }
}
