import CSQLite
import Foundation
import KioskCore
import Testing

@testable import KioskStorage

@Suite("Backups and restore")
struct BackupRestoreTests {
    @Test func dailyIsDueOncePerUTCDayAndThreeOfEachKindAreKept() {
        let names = [
            "kiosk-daily-20261201T080000Z.sqlite", "kiosk-daily-20261202T080000Z.sqlite",
            "kiosk-daily-20261203T080000Z.sqlite", "kiosk-daily-20261130T080000Z.sqlite",
            "kiosk-before-v7-20261101T080000Z.sqlite", "kiosk-manual-20261203T090000Z.sqlite", "notes.txt",
        ]
        #expect(!Backups.dailyDue(existing: names, now: Date(timeIntervalSince1970: 1_796_256_000)))  // 2026-12-03T00:00Z
        #expect(Backups.dailyDue(existing: names, now: Date(timeIntervalSince1970: 1_796_256_000 + 86400)))
        #expect(Backups.toPrune(names) == ["kiosk-daily-20261130T080000Z.sqlite"])
        #expect(Backups.name(kind: "daily", at: Date(timeIntervalSince1970: 1_796_256_000)) == "kiosk-daily-20261203T000000Z.sqlite")
    }

    @Test func aBackupIsASoundCopyWithTheSameEvents() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath, owner: true)
        defer { store.close() }
        for b in tickets(40) { try store.append(b, kiosk: "k1") }
        var written: [String] = []
        for i in 0..<5 { written.append(try store.backup(kind: "manual", now: t0.addingTimeInterval(Double(i)))) }
        let kept = Backups.list(folder: dir.path("backups"))
        #expect(kept == written.suffix(3).map { ($0 as NSString).lastPathComponent })
        let report = StorageCheckReport.run(path: written.last!)
        #expect(report.isSound, "\(report.problems)")
        let copy = try EventStore(readOnlyPath: written.last!)
        #expect(try copy.events() == store.events())
        copy.close()
    }

    @Test func anUpgradeIsPrecededByABackupOfTheOldFile() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try MigrationTests().buildVersion1Database(at: dir.dbPath, batches: sampleBatches(), kiosk: "k1")
        let store = try EventStore(path: dir.dbPath, owner: true)
        store.close()
        let names = Backups.list(folder: dir.path("backups"))
        #expect(names.contains { $0.hasPrefix("kiosk-before-v\(EventStore.currentSchemaVersion)-") }, "\(names)")
        let old = try SQLiteConnection(path: dir.path("backups/" + names.first { $0.contains("before") }!), flags: SQLITE_OPEN_READONLY)
        #expect(try old.scalarInt("PRAGMA user_version", doing: "reading") == 1)
        old.close()
    }

    @Test func restoreRefusesWhileTheKioskUsesTheFolder() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath, owner: true)
        defer { store.close() }
        try store.append(tickets(1)[0], kiosk: "k1")
        let backup = try store.backup(kind: "manual")
        let e = expectStorageError { _ = try Restore.run(backup: backup, into: dir.dbPath, acceptLoss: false) }
        #expect(e?.kind == .locked)
        #expect(e?.description.contains("stop it first") == true)
    }

    @Test func restorePutsASoundBackupBackAndKeepsTheDamagedFileAside() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath, owner: true)
        for b in ticketChunks(3000) { try store.append(b, kiosk: "k1") }
        let backup = try store.backup(kind: "manual")
        store.close()
        try scribble(dir.dbPath, at: (fileSize(dir.dbPath) / 2 / 4096) * 4096, bytes: 4096)
        #expect(!StorageCheckReport.run(path: dir.dbPath).isSound)

        let outcome = try Restore.run(backup: backup, into: dir.dbPath, acceptLoss: false, now: t0)
        #expect(outcome.lost == nil)
        #expect(outcome.lastSeq == 3000)
        #expect(outcome.setAside == dir.dbPath + ".damaged-20261124T090000Z")
        #expect(FileManager.default.fileExists(atPath: outcome.setAside!))
        let reopened = try EventStore(path: dir.dbPath, owner: true)
        #expect(try reopened.lastSequence() == 3000)
        try reopened.append(tickets(1, from: 3001)[0], kiosk: "k1")
        reopened.close()
    }

    @Test func restoringABackupThatLacksStoredEventsNeedsAcceptLoss() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let backup = try storeWithBackup(dir, backedUp: 5, stored: 8)

        let e = expectStorageError { _ = try Restore.run(backup: backup, into: dir.dbPath, acceptLoss: false) }
        #expect(e?.kind == .lostEvents)
        #expect(e?.message.contains("events #6…#8 would be lost") == true, "\(e.map { "\($0)" } ?? "")")
        #expect(try EventStore(readOnlyPath: dir.dbPath).lastSequence() == 8, "nothing changed")

        let outcome = try Restore.run(backup: backup, into: dir.dbPath, acceptLoss: true, now: t0.addingTimeInterval(600))
        #expect(outcome.lost == 6...8)
        #expect(outcome.text.contains("LOST: events #6…#8"))
        #expect(outcome.text.contains("ticket numbers of \(day1) continue 3 above the highest known"), "\(outcome.text)")
        // The lost seqs are never used again (the centre may hold them): the loss is event #9.
        #expect(try StorageMark.read(forDatabase: dir.dbPath) == StorageMark(seq: 9, day: day1))
        let reopened = try EventStore(path: dir.dbPath, owner: true)
        let lost = try reopened.events(since: 5)
        #expect(lost.map(\.seq) == [9])
        #expect(lost.first?.event.type == .eventsLost && lost.first?.event.number == 3 && lost.first?.event.day == day1)
        #expect(try reopened.declaredLosses() == [6...8])
        try reopened.append(tickets(1, from: 9)[0], kiosk: "k1")
        #expect(try reopened.lastSequence() == 10)
        reopened.close()
        let check = StorageCheckReport.run(path: dir.dbPath)
        #expect(check.isSound, "a declared loss is not damage: \(check.problems)")
        #expect(check.facts.contains("declared lost (events.lost): #6…#8"), "\(check.facts)")
    }

    @Test func aDamagedBackupIsNotRestored() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 3000)
        let store = try EventStore(readOnlyPath: dir.dbPath)
        let backup = dir.path("copy.sqlite")
        try store.backup(to: backup)
        store.close()
        try scribble(backup, at: (fileSize(backup) / 2 / 4096) * 4096, bytes: 4096)
        let e = expectStorageError { _ = try Restore.run(backup: backup, into: dir.dbPath, acceptLoss: true) }
        #expect(e?.kind == .corrupt)
        #expect(e?.message.contains("the backup is damaged too") == true)
        #expect(StorageCheckReport.run(path: dir.dbPath).isSound, "the current file is untouched")
    }
}
