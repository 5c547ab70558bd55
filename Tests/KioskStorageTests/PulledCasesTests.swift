import CSQLite
import Foundation
import KioskCore
import KioskProtocol
import KioskRuntime
import KioskTestSupport
import Testing

@testable import KioskStorage

/// The centre's case states pulled down (schema v6), on real SQLite files: states and cursor
/// are written together or not at all, a stale version never replaces a newer one, an old file
/// upgrades, and kioskd starts (and reloads) with the states it last pulled.
@Suite("Pulled case states in the kiosk database")
struct PulledCasesTests {
    /// 2026-12-03T06:40:00Z; every time here is whole seconds (stored as ISO text).
    let opened = Date(timeIntervalSince1970: 1_796_280_000)

    func state(_ ref: String, version: Int, status: CaseStatus = .received, assignee: String? = nil) -> CaseState {
        var s = CaseState(ref: ref, day: "2026-12-03", severity: .serious, openedAt: opened, replyBy: opened.addingTimeInterval(48 * 3600))
        s.site = "tower-a"
        s.kiosk = "k1"
        s.reason = "reason.attitude"
        s.resolveBy = opened.addingTimeInterval(6 * 3600)
        s.status = status
        s.assignee = assignee
        s.version = version
        s.updatedAt = opened.addingTimeInterval(Double(version) * 60)
        return s
    }

    func reply(_ states: [CaseState], next: Int64, more: Bool = false) -> CasesReply {
        CasesReply(cases: states, next: next, more: more, serverTime: "2026-12-03T07:00:00.000Z")
    }

    @Test func aVersion5DatabaseUpgradesWithNothingPulledAndEveryEventKept() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let batches = sampleBatches()
        do {
            let v5 = try EventStore(path: dir.dbPath)
            for b in batches { try v5.append(b, kiosk: "k1") }
            try v5.recordSyncSuccess(ackedSeq: 4, serverTime: "2026-11-24T09:05:00.000Z", deviceTime: "2026-11-24T09:04:59.000Z", clockOffsetMs: 1000)
            // Back to what schema 5 wrote: no pulled_cases, no cursor columns.
            try v5.conn.exec(
                """
                DROP TABLE case_contacts; DROP TABLE pulled_cases; ALTER TABLE sync_state DROP COLUMN cases_after;
                ALTER TABLE sync_state DROP COLUMN cases_pulled_at; PRAGMA user_version = 5
                """, doing: "making a v5 file")
            v5.close()
        }
        let old = expectStorageError { _ = try EventStore(readOnlyPath: dir.dbPath) }
        #expect(old?.kind == .olderSchema, "kioskctl waits for kioskd to upgrade the file")

        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        #expect(try store.schemaVersion() == EventStore.currentSchemaVersion)
        #expect(try store.integrityCheck() == "ok")
        #expect(try store.pulledCases().isEmpty && store.pulledCasesCursor() == 0 && store.pulledCasesAsOf() == nil)
        #expect(try store.eventCount() == Int64(batches.flatMap { $0 }.count), "the upgrade keeps every event")
        #expect(try store.syncState().ackedSeq == 4, "and what the centre acknowledged")
        try store.storePulledCases(reply([state("R20261203-001", version: 1)], next: 11), asOf: opened)
        #expect(try store.pulledCases().map(\.ref) == ["R20261203-001"])
        #expect(try store.pulledCasesCursor() == 11)
    }

    @Test func statesAndCursorAreStoredTogetherAndAStaleVersionNeverWins() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let a3 = state("R20261203-001", version: 3, status: .handling, assignee: "wang.li")
        let b1 = state("R20261203-002", version: 1)
        do {
            let store = try EventStore(path: dir.dbPath)
            #expect(try store.synchronousLevel() == 2, "synchronous=FULL: a stored pull survives a power cut")
            #expect(try store.storePulledCases(reply([a3, b1], next: 10), asOf: opened) == 2)
            // An older answer (a late page, a racing pull): A's version 2 loses, B's 2 wins, and
            // the cursor does not move back.
            let a2 = state("R20261203-001", version: 2)
            let b2 = state("R20261203-002", version: 2, status: .handling)
            #expect(try store.storePulledCases(reply([a2, b2], next: 8), asOf: opened.addingTimeInterval(60)) == 1)
            #expect(try store.pulledCases() == [a3, b2])
            #expect(try store.pulledCasesCursor() == 10)
            #expect(try store.pulledCasesAsOf() == opened.addingTimeInterval(60))
            // The same reply again (a restart after the commit, before the next pull) changes no state.
            try store.storePulledCases(reply([a3, b2], next: 10), asOf: opened.addingTimeInterval(120))
            #expect(try store.pulledCases() == [a3, b2])
            store.close()
        }
        // What kioskctl reads, read-only, after the writer is gone.
        let reader = try EventStore(readOnlyPath: dir.dbPath)
        defer { reader.close() }
        #expect(try reader.pulledCases().map { "\($0.ref) v\($0.version) \($0.status.rawValue) \($0.assignee ?? "-")" } == [
            "R20261203-001 v3 handling wang.li", "R20261203-002 v2 handling -",
        ])
        #expect(try reader.pulledCasesCursor() == 10)
        #expect(try reader.pulledCasesAsOf() == opened.addingTimeInterval(120))
    }

    @Test func aReplyThatCannotBeStoredWholeLeavesNothingOfIt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        try store.storePulledCases(reply([state("R20261203-001", version: 1)], next: 3), asOf: opened)
        // The second state of this reply has no reference: the first must not be kept without it,
        // nor the cursor move past it.
        let broken = reply([state("R20261203-002", version: 1), state("", version: 1)], next: 9)
        let error = expectStorageError { try store.storePulledCases(broken, asOf: opened.addingTimeInterval(60)) }
        #expect(error?.kind == .constraint)
        #expect(try store.pulledCases().map(\.ref) == ["R20261203-001"])
        #expect(try store.pulledCasesCursor() == 3)
        #expect(try store.pulledCasesAsOf() == opened)
        // The store goes on.
        try store.storePulledCases(reply([state("R20261203-002", version: 1)], next: 9), asOf: opened.addingTimeInterval(90))
        #expect(try store.pulledCases().map(\.ref) == ["R20261203-001", "R20261203-002"])
        #expect(try store.pulledCasesCursor() == 9)
    }

    /// kiosk-crash-probe `--pull` stores replies as the worker does (reply k: every state at
    /// version k, cursor 10·k) and is SIGKILLed at random moments, mid-commit included.
    @Test(.timeLimit(.minutes(2)))
    func sigkillingAPullBetweenAnswerAndCommitLosesNothingAndSplitsNoReply() throws {
        guard let probe = locateCrashProbe() else {
            Issue.record("kiosk-crash-probe not found next to the test binary; build it (`swift build --product kiosk-crash-probe`) or set KIOSK_CRASH_PROBE")
            return
        }
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = SplitMix64(state: UInt64(Date().timeIntervalSince1970 * 1000))
        var acknowledged: Int64 = 0
        var stored: Int64 = 0
        for round in 0..<30 {
            let context = "round \(round), acknowledged \(acknowledged)"
            guard let lines = try runProbeUntilKilled(
                probe, mode: ["--pull"], path: dir.dbPath, waitForReady: round % 3 != 0,
                delay: UInt32(Int.random(in: 0...150_000, using: &rng)), context: context)
            else { return }
            for line in lines where line.hasPrefix("ack ") { acknowledged = max(acknowledged, Int64(line.dropFirst(4)) ?? 0) }
            guard FileManager.default.fileExists(atPath: dir.dbPath) else { continue }
            let store = try EventStore(path: dir.dbPath)
            defer { store.close() }
            #expect(try store.integrityCheck() == "ok", "\(context)")
            let cursor = try store.pulledCasesCursor()
            let states = try store.pulledCases()
            let k = cursor / 10
            #expect(k >= acknowledged, "\(context): a stored reply was lost (cursor \(cursor))")
            #expect(k >= stored, "\(context): the cursor went back")
            if k == 0 {
                #expect(states.isEmpty, "\(context): states without their cursor")
            } else {
                #expect(states.count == 40 && states.allSatisfy { $0.version == Int(k) }, "\(context): cursor \(cursor) with versions \(Set(states.map(\.version)))")
                #expect(try store.pulledCasesAsOf() == opened.addingTimeInterval(Double(k)), "\(context)")
            }
            stored = k
        }
        #expect(acknowledged > 10, "the probe should store real work between kills (acknowledged \(acknowledged))")
        print("pull crash probe: 30 SIGKILLs, \(acknowledged) replies acknowledged")
    }

    @Test func kioskdStartsAndReloadsWithTheStatesItLastPulled() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let root = ScreenFixtures.repositoryRoot
        guard case .success(let setup) = KioskSetup.load(
            configPath: root.appendingPathComponent("Kiosk/kiosk.conf").path, assets: root.appendingPathComponent("Kiosk").path)
        else {
            Issue.record("Kiosk/kiosk.conf does not load")
            return
        }
        let now = opened.addingTimeInterval(3600)
        do {
            let fresh = try KioskService(setup: setup, stateDirectory: dir.url.path, now: now)
            #expect(fresh.machine.caseBoard.isEmpty && fresh.machine.caseBoardAsOf == nil, "never pulled: nothing to show")
            fresh.store.close()
        }
        // The sync worker stores a pull through its own connection, as in kioskd.
        let a3 = state("R20261203-001", version: 3, status: .handling, assignee: "wang.li")
        let worker = try EventStore(path: dir.dbPath)
        try worker.storePulledCases(reply([a3, state("R20261203-002", version: 1)], next: 4), asOf: opened.addingTimeInterval(1800))
        worker.close()

        let service = try KioskService(setup: setup, stateDirectory: dir.url.path, now: now)
        defer { service.store.close() }
        #expect(service.machine.caseBoard["R20261203-001"] == a3)
        #expect(service.machine.caseBoard.count == 2)
        #expect(service.machine.caseBoardAsOf == opened.addingTimeInterval(1800), "as of the last pull")
        try service.reload(setup, now: now)
        #expect(service.machine.caseBoard["R20261203-001"] == a3, "a reload rebuilds the machine with them")
        #expect(service.machine.caseBoardAsOf == opened.addingTimeInterval(1800))
    }
}
