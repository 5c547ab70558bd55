import Foundation
import KioskCore
import Testing

@testable import KioskStorage

/// `kioskctl restore --from-central` at the storage level: the centre's copy of the log (what
/// `GET /v1/events` answers) written back with its own seqs, alone or after a backup, and the
/// loss recorded so that no seq and no ticket number is used twice.
@Suite("Restore from the centre's copy")
struct RestoreFromCentralTests {
    /// The centre's copy of the events `seqs` of the log in `db`.
    func centralCopy(of db: String, through acked: Int64, highest: Int64? = nil) throws -> Restore.CentralCopy {
        let store = try EventStore(readOnlyPath: db)
        defer { store.close() }
        return Restore.CentralCopy(
            kiosk: "k1", ackedSeq: acked, highestSeq: highest ?? acked, events: try store.events().filter { $0.seq <= acked })
    }

    @Test func theBackupThenTheCentreThenTheLossAfterWhatTheMarkKnew() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let backup = try storeWithBackup(dir, backedUp: 5, stored: 8)
        let central = try centralCopy(of: dir.dbPath, through: 7)  // #8 never reached the centre
        try scribble(dir.dbPath, at: 0, bytes: 4096)

        let outcome = try Restore.run(backup: backup, central: central, into: dir.dbPath, acceptLoss: false, today: day1, now: t0)
        #expect(outcome.fromBackup == 1...5)
        #expect(outcome.fromCentral == 2)
        #expect(outcome.lost == 8...8)
        #expect(outcome.lastSeq == 9)
        #expect(outcome.text.contains("from the centre: 2 events"), "\(outcome.text)")
        let restored = try EventStore(readOnlyPath: dir.dbPath)
        defer { restored.close() }
        #expect(try restored.events().map(\.event.ticket) == ["A1", "A2", "A3", "A4", "A5", "A6", "A7", nil])
        #expect(try restored.tickets(day: day1).map(\.label).sorted() == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"])
        #expect(try restored.syncState().ackedSeq == 7, "only what the centre lacks is sent again")
        #expect(StorageCheckReport.run(path: dir.dbPath).isSound)
    }

    @Test func aNewStateFolderTakesTheCentresCopyAndSkipsNumbersForTheUnknown() throws {
        let old = try TempDir()
        defer { old.remove() }
        try filledStore(old, count: 7)
        let central = try centralCopy(of: old.dbPath, through: 7)
        let dir = try TempDir()  // a new disk: no database, no mark
        defer { dir.remove() }

        let outcome = try Restore.run(
            backup: nil, central: central, into: dir.dbPath, acceptLoss: false, today: day1, unknownLossNumbers: 40, now: t0)
        #expect(outcome.setAside == nil)
        #expect(outcome.lossUnknown && outcome.numbersSkipped == 40)
        #expect(outcome.text.contains("after the centre's last (#7) are unknown"), "\(outcome.text)")
        #expect(try StorageMark.read(forDatabase: dir.dbPath) == StorageMark(seq: 8, day: day1))
        let store = try EventStore(path: dir.dbPath, owner: true)
        defer { store.close() }
        let events = try store.events()
        #expect(events.map(\.seq) == Array(1...8))
        #expect(events.last?.event.type == .eventsLost && events.last?.event.number == 40 && events.last?.event.lostFrom == nil)
        var state = QueueState(configuration: Configuration(), day: day1)
        for e in events { state.apply(e.event) }
        let deposit = ServiceConfig(id: "deposit", key: 9, names: [:], prefix: "A")
        #expect(state.nextNumber(for: deposit) == 48, "A7 + 40 + 1")
    }

    @Test func aLogBegunAfterALossGivesWayToTheCentresCopyAndItsNumbersSkip() throws {
        let old = try TempDir()
        defer { old.remove() }
        try filledStore(old, count: 7)
        let central = try centralCopy(of: old.dbPath, through: 7)
        let dir = try TempDir()  // a new disk on which kioskd was started: a sound new log, its own mark at #2
        defer { dir.remove() }
        try filledStore(dir, count: 2)
        #expect(try StorageMark.read(forDatabase: dir.dbPath)?.seq == 2)

        let outcome = try Restore.run(
            backup: nil, central: central, into: dir.dbPath, acceptLoss: false, today: day1, unknownLossNumbers: 40, now: t0)
        #expect(outcome.setAside != nil, "the new log is kept aside, not deleted")
        #expect(outcome.replacedLogLast == 2)
        #expect(outcome.lossUnknown && outcome.numbersSkipped == 40, "its mark says nothing of how far the lost log went")
        #expect(outcome.text.contains("LOST: the previous file's events #1…#2 were stored after this kiosk's state was replaced"), "\(outcome.text)")
        let store = try EventStore(path: dir.dbPath, owner: true)
        defer { store.close() }
        let events = try store.events()
        #expect(events.map(\.seq) == Array(1...8))
        var state = QueueState(configuration: Configuration(), day: day1)
        for e in events { state.apply(e.event) }
        let deposit = ServiceConfig(id: "deposit", key: 9, names: [:], prefix: "A")
        #expect(state.nextNumber(for: deposit) == 48, "A7 + 40 + 1: above the new log's A1 and A2 too")
    }

    @Test func aSoundFileWithMoreThanTheCentreIsNotReplaced() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 8)
        let central = try centralCopy(of: dir.dbPath, through: 6)
        let e = expectStorageError { _ = try Restore.run(backup: nil, central: central, into: dir.dbPath, acceptLoss: false) }
        #expect(e?.kind == .lostEvents)
        #expect(e?.message.contains("restoring would lose events #7…#8") == true, "\(e.map { "\($0)" } ?? "")")
        #expect(try EventStore(readOnlyPath: dir.dbPath).lastSequence() == 8, "nothing changed")
        // Nor one that holds no more than the centre: there is nothing to restore.
        let whole = try centralCopy(of: dir.dbPath, through: 8)
        let same = expectStorageError { _ = try Restore.run(backup: nil, central: whole, into: dir.dbPath, acceptLoss: false) }
        #expect(same?.message == "is sound and holds events up to #8", "\(same.map { "\($0)" } ?? "")")
        #expect(try Restore.run(backup: nil, central: whole, into: dir.dbPath, acceptLoss: true).lost == nil, "--accept-loss replaces it")
    }

    @Test func aLogWhoseSeqsSkipWhatTheCentreHeldKeepsThoseSeqsFree() throws {
        // The centre holds #1…#6 and, after a gap it was never told of, #9: a restore lost #7…#9
        // in the sense that none may be used again.
        let dir = try TempDir()
        defer { dir.remove() }
        try filledStore(dir, count: 6)
        let central = try centralCopy(of: dir.dbPath, through: 6, highest: 9)
        try scribble(dir.dbPath, at: 0, bytes: 4096)
        let outcome = try Restore.run(backup: nil, central: central, into: dir.dbPath, acceptLoss: false, today: day1, now: t0)
        #expect(outcome.lost == 7...9)
        #expect(outcome.lastSeq == 10)
    }
}
