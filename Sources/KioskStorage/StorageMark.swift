#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// The last committed event, kept outside the database: `<db>.mark` next to `kiosk.sqlite`.
///
/// **Why.** The database alone cannot tell that it lost something. If the `-wal` file is deleted
/// (or an older copy of the file is put back) SQLite opens what is left without a word, and the
/// kiosk would start again at event #0 and hand out ticket numbers a second time on the same day.
/// So after every commit kioskd also writes the highest seq and its business day here, fsynced:
/// at the next start a database that ends *before* the mark has lost committed events, and kioskd
/// refuses it (`StorageError.Kind.lostEvents`).
///
/// The record is one fixed-size line rewritten in place (`pwrite` at offset 0, then `fdatasync`):
/// no rename, no allocation, so it cannot be half-replaced or fail on a full disk once it exists.
/// The mark is written after the commit, so it is never ahead of what SQLite made durable; a
/// kill between the two leaves it one batch behind, which is harmless.
public struct StorageMark: Equatable, Sendable {
    /// The highest seq committed when the mark was written.
    public var seq: Int64
    /// The business day of that event ("" when the log was empty).
    public var day: String

    public init(seq: Int64, day: String) { self.seq = seq; self.day = day }

    /// `<db>.mark`.
    public static func path(forDatabase db: String) -> String { db + ".mark" }

    static let width = 96

    /// "kiosk-mark 1 seq 123 day 2026-12-03", space-padded to `width` bytes with a final newline.
    var line: String {
        let text = "kiosk-mark 1 seq \(seq) day \(day.isEmpty ? "-" : day)"
        return String(text.prefix(Self.width - 1)) + String(repeating: " ", count: max(0, Self.width - 1 - text.count)) + "\n"
    }

    /// Parses a mark line; nil when it is not one (then the mark is treated as damaged).
    static func parse(_ text: String) -> StorageMark? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count == 6, words[0] == "kiosk-mark", words[1] == "1", words[2] == "seq", words[4] == "day",
              let seq = Int64(words[3]), seq >= 0 else { return nil }
        return StorageMark(seq: seq, day: words[5] == "-" ? "" : String(words[5]))
    }

    /// What is on disk: nil when there is no mark file; throws when it exists but cannot be read
    /// or does not hold a mark.
    public static func read(forDatabase db: String) throws -> StorageMark? {
        let path = path(forDatabase: db)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // Empty: created, then killed before the first write (at a first start): no record yet.
        if let data = FileManager.default.contents(atPath: path), data.isEmpty { return nil }
        guard let data = FileManager.default.contents(atPath: path), let mark = parse(String(decoding: data, as: UTF8.self)) else {
            throw StorageError(
                .corrupt, path: path, message: "the record of the last stored event is unreadable",
                hint: "run `kioskctl check`; if the database is sound, remove this file and kioskd writes it again")
        }
        return mark
    }
}

/// The open mark file of the writing kioskd. It holds a shared `flock` while open, so that
/// `kioskctl restore` can tell that a kioskd still uses the state folder.
final class MarkFile {
    let path: String
    private var fd: Int32

    /// Opens (creating) the mark file and takes a shared lock on it.
    init(database: String) throws {
        path = StorageMark.path(forDatabase: database)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        if fd < 0 {
            let e = errno
            throw StorageError(
                e == ENOSPC ? .io : .permission, path: path,
                message: "cannot open the record of the last stored event: \(String(cString: strerror(e)))",
                hint: e == ENOSPC ? "free some space on the disk holding --state-dir"
                    : "check that kioskd may write the state folder and that the disk is not mounted read-only")
        }
        _ = flock(fd, LOCK_SH)
    }

    deinit { close() }

    func close() {
        if fd >= 0 { _ = Glibc.close(fd) }
        fd = -1
    }

    /// Rewrites the mark in place and fsyncs it. Throws a `StorageError` naming the errno.
    func write(_ mark: StorageMark) throws {
        guard fd >= 0 else { return }
        let bytes = Array(mark.line.utf8)
        let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        if n != bytes.count || fdatasync(fd) != 0 {
            let e = errno
            throw StorageError(
                e == ENOSPC ? .io : .permission, path: path,
                message: "cannot record the last stored event (#\(mark.seq)): \(String(cString: strerror(e)))",
                hint: e == ENOSPC ? "free some space on the disk holding --state-dir" : "check the disk (dmesg) and the folder's permissions")
        }
    }

    /// True when some process holds a lock on the mark of `database` (a kioskd uses the folder).
    static func isHeld(database: String) -> Bool {
        let fd = open(StorageMark.path(forDatabase: database), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { _ = Glibc.close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            _ = flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}

/// A shared lock on the state folder's mark, held by a kioskd that refused its database (and so
/// opened no `EventStore`), so that `kioskctl restore` still sees that a kioskd runs there and
/// asks to stop it first. Best effort: without a mark file there is nothing to lock.
public final class StateFolderLock {
    private var fd: Int32

    public init(database: String) {
        fd = open(StorageMark.path(forDatabase: database), O_RDONLY | O_CLOEXEC)
        if fd >= 0 { _ = flock(fd, LOCK_SH) }
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }
}
