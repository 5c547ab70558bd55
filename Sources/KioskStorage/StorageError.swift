import CSQLite

/// Something the event store could not do, phrased for the person at the kiosk or the operator
/// reading the log: what went wrong, on which file, and what to do about it. The SQLite message
/// and result code are kept for the log.
public struct StorageError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable, Equatable {
        /// Another connection holds the write lock longer than the busy timeout.
        case locked
        /// `init(readOnlyPath:)` on a file that does not exist.
        case missingFile
        /// The file was written by a newer kioskd.
        case newerSchema
        /// The file predates this code and must be upgraded by kioskd (read-only opens only).
        case olderSchema
        /// The file is SQLite but not a kiosk database, or not SQLite at all.
        case notAKioskDatabase
        /// SQLite reports damage, or a stored payload cannot be decoded.
        case corrupt
        /// The log ends before the last event this kiosk committed (`StorageMark`): a lost
        /// `-wal` file or an older copy put back.
        case lostEvents
        /// A change conflicts with stored data (duplicate ticket label, duplicate case ref…).
        case constraint
        /// The file or folder cannot be opened/written (permissions, read-only media).
        case permission
        /// The disk is full or failing.
        case io
        /// An event could not be encoded.
        case invalidEvent
        /// A write was attempted on a store opened with `init(readOnlyPath:)`.
        case readOnly
        /// The store was used after `close()`.
        case closed
        case other
    }

    public var kind: Kind
    /// The database file concerned.
    public var path: String
    /// What went wrong, in plain words.
    public var message: String
    /// What to do about it, when there is something to do.
    public var hint: String?
    /// SQLite's own message and (extended) result code, when the failure came from SQLite.
    public var sqliteMessage: String?
    public var sqliteCode: Int32?

    public init(
        _ kind: Kind, path: String, message: String, hint: String? = nil,
        sqliteMessage: String? = nil, sqliteCode: Int32? = nil
    ) {
        self.kind = kind; self.path = path; self.message = message; self.hint = hint
        self.sqliteMessage = sqliteMessage; self.sqliteCode = sqliteCode
    }

    /// "/var/lib/kiosk/kiosk.sqlite: database is locked by another process (is another kioskd
    /// running with this --state-dir?) [sqlite 5: database is locked]"
    public var description: String {
        var s = "\(path): \(message)"
        if let hint { s += " (\(hint))" }
        if let sqliteMessage {
            s += " [sqlite"
            if let sqliteCode { s += " \(sqliteCode)" }
            s += ": \(sqliteMessage)]"
        }
        return s
    }

    /// Maps a SQLite result code to a kind, a plain message and advice. `doing` says what the
    /// store was doing ("appending events", "opening") and ends up in the message.
    static func sqlite(_ code: Int32, _ sqliteMessage: String, path: String, doing: String) -> StorageError {
        let kind: Kind
        let what: String
        var hint: String?
        switch code & 0xff {
        case SQLITE_BUSY, SQLITE_LOCKED:
            kind = .locked
            what = "database is locked by another process"
            hint = "is another kioskd running with this --state-dir?"
        case SQLITE_NOTADB:
            kind = .notAKioskDatabase
            what = "file is not a SQLite database"
            hint = "move it aside; kioskd creates a new one, or restore the last backup"
        case SQLITE_CORRUPT:
            kind = .corrupt
            what = "database file is damaged"
            hint = "stop kioskd, keep a copy of the file and restore the last backup"
        case SQLITE_CANTOPEN:
            kind = .permission
            what = "cannot open the database file"
            hint = "check that the folder exists and that kioskd may read and write it"
        case SQLITE_PERM, SQLITE_READONLY, SQLITE_AUTH:
            kind = .permission
            what = "cannot write the database file"
            hint = "check the file and folder permissions and that the disk is not mounted read-only"
        case SQLITE_FULL:
            kind = .io
            what = "the disk is full"
            hint = "free some space on the disk holding --state-dir"
        case SQLITE_IOERR:
            kind = .io
            what = "disk I/O error"
            hint = "check the disk (dmesg); keep a copy of the file"
        case SQLITE_CONSTRAINT:
            kind = .constraint
            what = "the change conflicts with stored data"
        case SQLITE_MISUSE:
            kind = .other
            what = "internal storage error"
            hint = "this is a kioskd bug; please report it with the log"
        default:
            kind = .other
            what = "storage error"
        }
        return StorageError(
            kind, path: path, message: "\(what) while \(doing)", hint: hint,
            sqliteMessage: sqliteMessage, sqliteCode: code)
    }
}
