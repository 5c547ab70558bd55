import Foundation
import KioskProtocol
import KioskStorage
import KioskTestSupport
import Testing

@testable import KioskRuntime

/// kioskd's whole path for pulled case states, on real threads: the sync worker fetches from a
/// small HTTP centre, stores, and hands the states to the daemon's loop, which feeds the machine
/// while it runs; the next start finds them on disk.
@Suite("Case states reach the running kioskd")
struct CasesPulledByKioskdTests {
    @Test func aPulledStateReachesTheMachineWhileItRunsAndAfterARestart() throws {
        let opened = Date(timeIntervalSince1970: 1_796_280_000)
        var state = CaseState(ref: "R20261203-001", day: "2026-12-03", severity: .serious, openedAt: opened, replyBy: opened.addingTimeInterval(48 * 3600))
        state.site = "tower-a"
        state.status = .handling
        state.assignee = "wang.li"
        state.version = 2
        let reply = String(decoding: try WireEncoder().encode(CasesReply(cases: [state], next: 7, more: false, serverTime: "2026-12-03T07:00:00.000Z")), as: UTF8.self)
        let centre = try RecordingCentre(answer: { method, path, _ in
            let time = "2026-12-03T07:00:00.000Z"
            switch (method, path) {
            case ("POST", "/v1/heartbeat"): return (200, #"{"serverTime":"\#(time)","kiosk":"lobby-7","site":"tower-a"}"#)
            case ("GET", _) where path.hasPrefix("/v1/cases?after=0&"): return (200, reply)
            case ("GET", _) where path.hasPrefix("/v1/cases?"): return (200, #"{"cases":[],"next":7,"more":false,"serverTime":"\#(time)"}"#)
            case ("GET", _) where path.hasPrefix("/v1/commands"): return (200, #"{"commands":[],"serverTime":"\#(time)"}"#)
            case ("GET", _) where path.hasPrefix("/v1/sites/"): return (204, "")
            default: return (503, "{}")
            }
        })
        let folder = makeTemporaryFolder("cases-kioskd")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "kiosk-token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        let rig = try Rig(configText: """
            [kiosk]
            id = lobby-7
            central-url = http://127.0.0.1:\(centre.port)
            token-file = \(folder)/token

            """)
        #expect(rig.service.machine.caseBoard.isEmpty)
        rig.operations.attach(to: rig.loop, handleSignals: false)
        let sync = try #require(CentralSync.start(
            setup: rig.service.setup, stateDirectory: rig.folder + "/state", operations: rig.operations, loop: rig.loop))
        let deadline = Date().addingTimeInterval(20)
        try rig.run({}, until: { rig.service.machine.caseBoard[state.ref] != nil || Date() > deadline })
        sync.stop()
        #expect(rig.service.machine.caseBoard[state.ref] == state, "on the board without a restart: \(centre.requests)")
        #expect(rig.service.machine.caseBoardAsOf != nil)
        rig.service.store.close()

        let again = try KioskService(setup: rig.service.setup, stateDirectory: rig.folder + "/state", now: Date())
        defer { again.store.close() }
        #expect(again.machine.caseBoard[state.ref] == state, "stored before it was shown")
        #expect(try again.store.pulledCasesCursor() == 7)
    }
}
