import Foundation
import KioskCore
import KioskProtocol
import KioskStorage
import KioskSync
import KioskTestSupport
import Testing

/// The sync worker against a small real HTTP centre: what a stored event, IT's `sync` and an
/// unknown command lead to. Time is a `VirtualClock`, except where the real thread is the point.
@Suite("Sync driver")
struct SyncDriverTests {
    let t0 = Date(timeIntervalSince1970: 1_795_510_800)

    /// A centre that stores everything: uploads are acknowledged through their last seq, the
    /// heartbeat names site tower-a, nothing is published, `commands` are handed out once;
    /// with `cases`, `GET /v1/cases` answers `cases(after)` (nil: 503).
    static func storingCentre(
        commands: [String] = [], cases: (@Sendable (Int64) -> CasesReply?)? = nil,
        onRequest: @escaping @Sendable (String) -> Void = { _ in }
    ) throws -> RecordingCentre {
        let handedOut = LogLines()
        return try RecordingCentre(answer: { method, path, body in
            let time = "2026-11-24T07:30:00.000Z"
            switch (method, path) {
            case ("POST", "/v1/events"):
                let upload = try? JSONDecoder().decode(UploadRequest.self, from: Data(body.utf8))
                let last = upload?.events.last?.seq ?? 0
                return (200, #"{"ackedSeq":\#(last),"stored":\#(upload?.events.count ?? 0),"duplicates":0,"serverTime":"\#(time)"}"#)
            case ("GET", _) where path.hasPrefix("/v1/events?"):
                return (200, #"{"kiosk":"k1","site":"tower-a","ackedSeq":0,"highestSeq":0,"events":[]}"#)
            case ("POST", "/v1/heartbeat"):
                return (200, #"{"serverTime":"\#(time)","kiosk":"k1","site":"tower-a"}"#)
            case ("GET", _) where path.hasPrefix("/v1/commands"):
                let first = handedOut.all.isEmpty
                handedOut.append("once")
                return (200, #"{"commands":[\#(first ? commands.joined(separator: ",") : "")],"serverTime":"\#(time)"}"#)
            case ("GET", _) where path.hasPrefix("/v1/cases?") && cases != nil:
                let after = path.split(separator: "?")[1].split(separator: "&").first { $0.hasPrefix("after=") }
                    .flatMap { Int64($0.dropFirst("after=".count)) } ?? -1
                guard let reply = cases?(after), let json = try? WireEncoder().encode(reply) else { return (503, "{}") }
                return (200, String(decoding: json, as: UTF8.self))
            case ("GET", _) where path.hasPrefix("/v1/sites/"):
                return (204, "")
            default:
                return (200, "{}")
            }
        }, onRequest: onRequest)
    }

    func folder() throws -> CommandOutcomeTests.Folder { try CommandOutcomeTests.Folder() }

    func store(_ n: Int, in folder: CommandOutcomeTests.Folder, from first: Int = 1) throws {
        let store = try EventStore(path: folder.store)
        defer { store.close() }
        let events = (first..<first + n).map { i in
            var e = KioskEvent(.ticketIssued, at: t0.addingTimeInterval(Double(i)), day: "2026-11-24")
            e.ticket = String(format: "A%03d", i)
            e.service = "repairs"
            e.number = i
            return e
        }
        try store.append(events, kiosk: "k1")
    }

    func worker(_ folder: CommandOutcomeTests.Folder, url: String, clock: SyncClock, commandWait: Int = 0) -> SyncWorker {
        SyncWorker(
            storePath: folder.store,
            options: .init(centralURL: url, tokenFile: folder.token, kioskID: "k1", interval: 60, commandWait: commandWait),
            log: { _ in }, clock: clock)
    }

    func acked(_ folder: CommandOutcomeTests.Folder) throws -> Int64 {
        let store = try EventStore(readOnlyPath: folder.store)
        defer { store.close() }
        return try store.syncState().ackedSeq
    }

    @Test func aStoredEventLeavesAtOnceNotAfterTheInterval() throws {
        let folder = try folder()
        let centre = try Self.storingCentre()
        let clock = VirtualClock(t0)
        let w = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: clock.clock())
        defer { w.stop() }
        w.runUntilIdle()  // caught up (nothing stored yet), heartbeat sent: the next round is a minute away
        #expect(centre.requests.filter { $0.hasPrefix("POST /v1/events") }.isEmpty)

        try store(2, in: folder)
        w.eventsStored()
        w.runUntilIdle()
        #expect(clock.now == t0, "no time passed")
        #expect(centre.requests.filter { $0.hasPrefix("POST /v1/events") }.count == 1)
        #expect(try acked(folder) == 2)
    }

    @Test func aStoredEventWaitsForTheRetryWhileTheCentreIsDown() throws {
        let folder = try folder()
        let clock = VirtualClock(t0)
        let w = worker(folder, url: "http://127.0.0.1:\(try RecordingCentre.closedPort())", clock: clock.clock())
        defer { w.stop() }
        try store(1, in: folder)
        w.runUntilIdle()  // the upload fails: back off (jitter 0.5 → half a second)
        try store(1, in: folder, from: 2)
        w.eventsStored()
        w.runUntilIdle()
        #expect(try acked(folder) == 0)
        let lastErrorAt = { () throws -> String? in
            let s = try EventStore(readOnlyPath: folder.store)
            defer { s.close() }
            return try s.syncState().lastErrorAt
        }
        let before = try lastErrorAt()
        w.eventsStored()
        w.runUntilIdle()
        #expect(try lastErrorAt() == before, "an unreachable centre is not retried on every stored event")
        clock.advance(by: 0.5)
        w.runUntilIdle()
        #expect(try lastErrorAt() != before, "but at the backoff's end")
    }

    @Test func onItsThreadTheWorkerSendsAStoredEventWithinASecond() throws {
        let folder = try folder()
        let uploaded = DispatchSemaphore(value: 0)
        let heartbeat = DispatchSemaphore(value: 0)
        let centre = try Self.storingCentre(onRequest: { line in
            if line.hasPrefix("POST /v1/events") { uploaded.signal() }
            if line.hasPrefix("POST /v1/heartbeat") { heartbeat.signal() }
        })
        let w = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: .system, commandWait: 1)
        w.start()
        defer { w.stop() }
        #expect(heartbeat.wait(timeout: .now() + 10) == .success, "the worker started and is idle for a minute")
        try store(1, in: folder)
        let stored = Date()
        w.eventsStored()
        #expect(uploaded.wait(timeout: .now() + 1) == .success, "the event reached the centre within a second")
        #expect(Date().timeIntervalSince(stored) < 1)
    }

    @Test func itsSyncIsAcknowledgedWhenTheDrainEndsAndAnUnknownCommandFails() throws {
        let folder = try folder()
        let centre = try Self.storingCentre(commands: [#"{"id":5,"type":"sync"}"#, #"{"id":6,"type":"reboot"}"#])
        let w = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: VirtualClock(t0).clock(), commandWait: 1)
        defer { w.stop() }
        try store(3, in: folder)
        w.runUntilIdle()  // drains, then asks for commands
        w.runUntilIdle()  // polls: sync starts a drain, reboot is refused; outcomes go out
        let acks = centre.requests.filter { $0.hasPrefix("POST /v1/commands/") }
        #expect(acks == [
            #"POST /v1/commands/6/ack {"result":"failed","message":"unknown command 'reboot'; this kiosk knows sync, reload-config and set-weather (update the kiosk)"}"#,
            #"POST /v1/commands/5/ack {"result":"done","message":"synced: acknowledged through #3, backlog 0"}"#,
        ])
    }

    @Test func kioskctlSyncFailsWhenTheCentreCannotBeReachedEvenWithNothingToSend() throws {
        let folder = try folder()
        let port = try RecordingCentre.closedPort()
        let report = worker(folder, url: "http://127.0.0.1:\(port)", clock: VirtualClock(t0).clock()).drain()
        #expect(report.sent == 0 && report.backlog == 0)
        #expect(report.error?.hasPrefix("heartbeat: cannot reach the centre at http://127.0.0.1:\(port)") == true, "\(report)")
        let centre = try Self.storingCentre()
        try store(2, in: folder)
        let ok = worker(folder, url: "http://127.0.0.1:\(centre.port)", clock: VirtualClock(t0).clock()).drain()
        #expect(ok.sent == 2 && ok.ackedSeq == 2 && ok.backlog == 0 && ok.error == nil, "\(ok)")
    }
}
