import Foundation
import KioskCore
import Testing

@testable import KioskStorage

/// The kiosk's outbox, sync state and unreported command outcomes on real SQLite files.
@Suite("Sync state in the kiosk database")
struct SyncStateStorageTests {
    let t0 = Date(timeIntervalSince1970: 1_795_510_800)

    func tempPath() throws -> (String, URL) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-sync-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return (url.appendingPathComponent("kiosk.sqlite").path, url)
    }

    func issue(_ n: Int, at seconds: Double) -> KioskEvent {
        var e = KioskEvent(.ticketIssued, at: t0.addingTimeInterval(seconds), day: "2026-11-24")
        e.ticket = String(format: "A%03d", n)
        e.service = "repairs"
        e.number = n
        return e
    }

    @Test func aVersion2DatabaseUpgradesWithEverythingUnsent() throws {
        let (path, dir) = try tempPath()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let v2 = try EventStore(path: path)
            try v2.conn.exec(
                "DROP TABLE case_contacts; DROP TABLE pulled_cases; DROP TABLE command_outcomes; DROP TABLE sync_receipts; DROP TABLE sync_state; PRAGMA user_version = 2", doing: "making a v2 file")
            try v2.append([issue(1, at: 0), issue(2, at: 60)], kiosk: "k1")
            v2.close()
        }
        let raw = try SQLiteConnection(path: path, flags: 2)
        #expect(try raw.scalarInt("PRAGMA user_version", doing: "check") == 2)
        raw.close()
        let store = try EventStore(path: path)
        defer { store.close() }
        #expect(try store.schemaVersion() == EventStore.currentSchemaVersion)
        #expect(try store.syncState() == SyncStateRow(ackedSeq: 0, configVersion: 0))
        #expect(try store.unreportedCommandOutcomes().isEmpty)
        let backlog = try store.backlog()
        #expect(backlog.count == 2 && backlog.oldestSeq == 1)
        #expect(backlog.oldestDeviceTime == "2026-11-24T09:00:00Z")
        #expect(try store.eventCount() == 2, "the upgrade keeps every event")
    }

    @Test func commandOutcomesWaitOnDiskUntilReported() throws {
        let (path, dir) = try tempPath()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let store = try EventStore(path: path)
            try store.recordCommandOutcome(CommandOutcome(commandID: 12, ok: true, message: "synced", recordedAt: "2026-11-24T09:00:00.000Z"))
            try store.recordCommandOutcome(CommandOutcome(commandID: 11, ok: true, message: "weather is rain", recordedAt: "2026-11-24T09:00:01.000Z"))
            // A second outcome for the same command replaces the first.
            try store.recordCommandOutcome(CommandOutcome(commandID: 12, ok: false, message: "sync failed: offline", recordedAt: "2026-11-24T09:00:02.000Z"))
            store.close()
        }
        let store = try EventStore(path: path)
        defer { store.close() }
        #expect(try store.unreportedCommandOutcomes().map { "\($0.commandID) \($0.ok) \($0.message)" } == [
            "11 true weather is rain", "12 false sync failed: offline",
        ])
        try store.removeCommandOutcome(commandID: 11)
        #expect(try store.unreportedCommandOutcomes().map(\.commandID) == [12])
    }

    @Test func theOutboxIsEverythingAfterTheAcknowledgementInOrderAndVerbatim() throws {
        let (path, dir) = try tempPath()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try EventStore(path: path)
        defer { store.close() }
        try store.append((1...25).map { issue($0, at: Double($0)) }, kiosk: "k1")
        let first = try store.outbox(after: 0, limit: 10)
        #expect(first.map(\.seq) == Array(1...10))
        #expect(first[0].type == "ticket.issued" && first[0].deviceTime == "2026-11-24T09:00:01Z")
        let decoded = try KioskEvent.makeDecoder().decode(KioskEvent.self, from: Data(first[0].payload.utf8))
        #expect(decoded.ticket == "A001", "the payload is the stored event JSON")

        try store.recordSyncSuccess(ackedSeq: 10, serverTime: "2026-11-24T09:05:00.000Z", deviceTime: "2026-11-24T09:04:58.000Z", clockOffsetMs: 2000)
        #expect(try store.outbox(after: try store.syncState().ackedSeq, limit: 100).map(\.seq) == Array(11...25))
        #expect(try store.backlog().count == 15)
        #expect(try store.serverReceiveTime(seq: 7) == "2026-11-24T09:05:00.000Z", "device and server times kept apart")
        #expect(try store.serverReceiveTime(seq: 11) == nil)
        let state = try store.syncState()
        #expect(state.clockOffsetMs == 2000 && state.lastSuccessAt == "2026-11-24T09:04:58.000Z" && state.lastError == nil)
    }

    @Test func aFailureIsRecordedWithoutMovingTheAcknowledgement() throws {
        let (path, dir) = try tempPath()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try EventStore(path: path)
        defer { store.close() }
        try store.append((1...5).map { issue($0, at: Double($0)) }, kiosk: "k1")
        try store.recordSyncSuccess(ackedSeq: 3, serverTime: "s", deviceTime: "d", clockOffsetMs: nil)
        try store.recordSyncFailure("cannot reach the centre", at: "2026-11-24T10:00:00.000Z")
        let state = try store.syncState()
        #expect(state.ackedSeq == 3 && state.lastError == "cannot reach the centre")
        // An acknowledgement beyond the last event (a confused centre) is clamped.
        try store.recordSyncSuccess(ackedSeq: 99, serverTime: "s", deviceTime: "d", clockOffsetMs: nil)
        #expect(try store.syncState().ackedSeq == 5)
        #expect(try store.syncState().lastError == nil)
        // kioskctl reads the sync state read-only while kioskd writes.
        let reader = try EventStore(readOnlyPath: path)
        #expect(try reader.syncState().ackedSeq == 5)
        #expect(try reader.backlog().count == 0)
        reader.close()
    }
}
