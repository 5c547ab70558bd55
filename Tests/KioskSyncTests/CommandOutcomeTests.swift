import Foundation
import KioskStorage
import KioskSync
import KioskTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The outcome of an IT command reaches the centre even when the centre was down at the time and
/// the kiosk restarted meanwhile; a failed heartbeat shows as the kiosk's last error.
@Suite("Command outcomes and heartbeats while the centre is down")
struct CommandOutcomeTests {
    final class Folder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiosk-outcome-tests-\(UUID().uuidString)")
        var store: String { url.appendingPathComponent("kiosk.sqlite").path }
        var token: String { url.appendingPathComponent("token").path }
        init() throws {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try "kiosk-token\n".write(toFile: token, atomically: true, encoding: .utf8)
            try EventStore(path: store).close()
        }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    /// The workers' time: it moves only when a test says so.
    let clock = VirtualClock(Date(timeIntervalSince1970: 1_795_000_000))

    func worker(_ folder: Folder, url: String, logs: LogLines = LogLines()) -> SyncWorker {
        SyncWorker(
            storePath: folder.store,
            options: .init(centralURL: url, tokenFile: folder.token, kioskID: "k1", interval: 60, commandWait: 1),
            log: { logs.append($0) }, clock: clock.clock())
    }

    /// Lets `worker` do everything that is due now (on this thread, no sleeping), then checks.
    func eventually(_ worker: SyncWorker, _ condition: () throws -> Bool) rethrows -> Bool {
        worker.runUntilIdle()
        return try condition()
    }

    func unreported(_ folder: Folder) throws -> [CommandOutcome] {
        let store = try EventStore(path: folder.store)
        defer { store.close() }
        return try store.unreportedCommandOutcomes()
    }

    @Test func anOutcomeReachedWhileTheCentreIsDownIsReportedAfterARestart() throws {
        let folder = try Folder()
        let down = worker(folder, url: "http://127.0.0.1:\(try RecordingCentre.closedPort())")
        down.acknowledge(command: 7, ok: true, message: "weather is rain")
        down.acknowledge(command: 8, ok: false, message: "configuration version 2 refused")
        // Stored before anything is sent; still there after the failed attempt and a stop.
        #expect(try unreported(folder).map(\.commandID) == [7, 8])
        down.runUntilIdle()  // tries to send them and fails
        down.stop()
        #expect(try unreported(folder).map { "\($0.commandID) \($0.ok) \($0.message)" } == [
            "7 true weather is rain", "8 false configuration version 2 refused",
        ])

        // The kiosk starts again and the centre is back: the outcomes go out without any new command.
        let centre = try RecordingCentre()
        let up = worker(folder, url: "http://127.0.0.1:\(centre.port)")
        defer { up.stop() }
        #expect(eventually(up) { centre.requests.filter { $0.hasPrefix("POST /v1/commands/") }.count == 2 })
        let acks = centre.requests.filter { $0.hasPrefix("POST /v1/commands/") }
        #expect(acks == [
            #"POST /v1/commands/7/ack {"result":"done","message":"weather is rain"}"#,
            #"POST /v1/commands/8/ack {"result":"failed","message":"configuration version 2 refused"}"#,
        ])
        #expect(try eventually(up) { try unreported(folder).isEmpty }, "reported outcomes are forgotten")
    }

    @Test func aFailedHeartbeatIsTheLastErrorStatusShows() throws {
        let folder = try Folder()
        let port = try RecordingCentre.closedPort()
        let down = worker(folder, url: "http://127.0.0.1:\(port)")
        defer { down.stop() }
        let lastError = {
            let store = try EventStore(readOnlyPath: folder.store)
            defer { store.close() }
            return try store.syncState().lastError ?? ""
        }
        #expect(try eventually(down) { try lastError().hasPrefix("heartbeat: ") })
        #expect(try lastError() .contains("cannot reach the centre at http://127.0.0.1:\(port)"))
    }
}
