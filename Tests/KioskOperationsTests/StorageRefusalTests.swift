import Foundation
import KioskCore
import KioskRuntime
import KioskStorage
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A state folder whose kiosk.sqlite holds `count` tickets of one day (one transaction).
private func stateWithTickets(_ count: Int) throws -> String {
    let state = makeTemporaryFolder("refusal") + "/state"
    let store = try EventStore(path: state + "/kiosk.sqlite", owner: true)
    let start = Date(timeIntervalSince1970: 1_796_256_000)
    try store.append((1...count).map { i in
        var e = KioskEvent(.ticketIssued, at: start.addingTimeInterval(Double(i)), day: "2026-12-03")
        e.ticket = "A\(i)"; e.service = "deposit"; e.number = i
        return e
    }, kiosk: "k1")
    store.close()
    return state
}

/// Overwrites 4 KB in the middle of `path` with random bytes, page-aligned.
private func scribbleMiddle(_ path: String) throws {
    let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as! NSNumber).uint64Value
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    try handle.seek(toOffset: (size / 2 / 4096) * 4096)
    try handle.write(contentsOf: Data((0..<4096).map { _ in UInt8.random(in: 0...255) }))
    try handle.close()
}

private func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
    var out = "", err = ""
    let code = ControlCommand.main(arguments, output: { out += $0 }, error: { err += $0 })
    return (code, out, err)
}

private let setup: KioskSetup = try! KioskSetup.load(configPath: assetsFolder + "/kiosk.conf", assets: assetsFolder).get()

/// Texts a resident must never see on a public screen.
private func leaksInternals(_ screen: Screen) -> Bool {
    let text = "\(screen)"
    return ["sqlite", "SQLite", "kiosk.sqlite", "/tmp", "damaged", "存储故障"].contains { text.contains($0) }
}

@Suite("Storage refusal: screens, kioskd and kioskctl")
struct StorageRefusalTests {
    @Test func aDroppedTableIsRefusedAndEveryStationShowsThePausedScreen() throws {
        let state = try stateWithTickets(3)
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [state + "/kiosk.sqlite", "DROP TABLE tickets"]
        try sqlite.run()
        sqlite.waitUntilExit()

        var refusal = ""
        do {
            _ = try KioskService(setup: setup, stateDirectory: state, now: Date())
            Issue.record("a database without its tickets table was used")
        } catch { refusal = "\(error)" }
        #expect(refusal.contains("lacks the table tickets"), "\(refusal)")

        let service = try KioskService(setup: setup, refusing: refusal, now: Date())
        let screens = service.currentScreens(now: Date())
        #expect(screens.count == service.stations.count)
        for (station, screen) in zip(service.stations, screens) {
            #expect(screen.blocks.contains(.heading("暂停取号，请到窗口咨询")), "\(station)")
            #expect(screen.blocks.contains(.text("Tickets are paused: please ask at the counter", .normal)), "\(station)")
            #expect(!leaksInternals(screen), "\(station): \(screen)")
        }
        #expect(!service.handle(.key(.digit(1), station: .lobby, at: Date(), terminal: "")))
        #expect(try service.store.lastSequence() == 0, "nothing is stored while refused")
        #expect(service.storageProblem?.contains("lacks the table tickets") == true, "kioskctl commands get the details")
    }

    @Test func aFailedCommitShowsStaffTheErrorAndResidentsTheNeutralScreen() throws {
        let builder = ScreenBuilder(catalogs: setup.catalogs)
        let machine = KioskMachine(configuration: setup.configuration, catalog: setup.catalogs[.chinese], day: "2026-12-03")
        let problem = "/var/lib/kiosk/kiosk.sqlite: the disk is full while appending events [sqlite 13: database or disk is full]"
        let lobby = builder.screen(for: .lobby, machine, now: Date(), storageProblem: problem)
        #expect(lobby.blocks.contains(.heading("暂停取号，请到窗口咨询")))
        #expect(!leaksInternals(lobby), "\(lobby)")
        let all = builder.screens(machine, now: Date(), storageProblem: problem)
        #expect(!leaksInternals(all[0]))
        let counter = builder.screen(for: .counter(1), machine, now: Date(), storageProblem: problem)
        #expect("\(counter)".contains("the disk is full"), "staff see the details")
    }

    @Test func kioskctlNamesTheDamageInsteadOfBlamingTheStateDir() throws {
        let state = try stateWithTickets(3000)
        #expect(run(["--state-dir", state, "check"]).code == 0)
        try scribbleMiddle(state + "/kiosk.sqlite")
        for command in [["events"], ["report"], ["status"]] {
            let r = run(["--state-dir", state, "--assets", assetsFolder] + command)
            #expect(r.code == 65, "\(command): \(r.err)")
            #expect(r.err.contains("is damaged"), "\(command): \(r.err)")
            #expect(!r.err.contains("no kiosk state"), "\(command): \(r.err)")
        }
        let check = run(["--state-dir", state, "check"])
        #expect(check.code == 65)
        #expect(check.out.contains("DAMAGED"), "\(check.out)")
        #expect(check.out.contains("kioskctl restore"), "\(check.out)")
        let missing = run(["--state-dir", state + "/nowhere", "--assets", assetsFolder, "events"])
        #expect(missing.code == 66)
        #expect(missing.err.contains("no kiosk state"), "\(missing.err)")
    }

    @Test func kioskctlSyncSendsNothingFromAStateThatLostEvents() throws {
        // The main file and the mark without the WAL: the log ends before the mark.
        let state = makeTemporaryFolder("sync-refused") + "/state"
        let store = try EventStore(path: state + "/kiosk.sqlite", owner: true)
        var e = KioskEvent(.ticketIssued, at: Date(), day: "2026-12-03")
        e.ticket = "A1"; e.service = "deposit"; e.number = 1
        try store.append([e], kiosk: "k1")
        let lost = state + "/../lost"
        try FileManager.default.createDirectory(atPath: lost, withIntermediateDirectories: true)
        for f in ["kiosk.sqlite", "kiosk.sqlite.mark"] { try FileManager.default.copyItem(atPath: state + "/" + f, toPath: lost + "/" + f) }
        store.close()
        let folder = (state as NSString).deletingLastPathComponent
        try "token\n".write(toFile: folder + "/token", atomically: true, encoding: .utf8)
        try "[kiosk]\ncentral-url = http://127.0.0.1:9\ntoken-file = \(folder)/token\n".write(toFile: folder + "/kiosk.conf", atomically: true, encoding: .utf8)
        let r = run(["--state-dir", lost, "--config", folder + "/kiosk.conf", "--assets", assetsFolder, "--runtime-dir", folder, "sync"])
        #expect(r.code == 65, "\(r.err)")
        #expect(r.err.contains("not synced") && r.err.contains("are lost"), "\(r.err)")
    }

    /// The daily backup is written on its own thread from its own snapshot: the kiosk goes on
    /// storing tickets meanwhile, and the copy is sound and holds what was stored before it.
    @Test func theDailyBackupIsWrittenBesideTheRunningKiosk() throws {
        let state = try stateWithTickets(20000)
        let service = try KioskService(setup: setup, stateDirectory: state, now: Date())
        let now = Date()
        service.handle(.key(.digit(1), station: .lobby, at: now))
        service.handle(.key(.enter, station: .lobby, at: now))
        #expect(service.storageProblem == nil, "a ticket is stored while the backup may still be written")
        service.waitForBackup()
        let backups = Backups.list(folder: state + "/backups")
        #expect(backups.count == 1 && backups[0].hasPrefix("kiosk-daily-"), "\(backups)")
        let file = state + "/backups/" + (backups.first ?? "")
        #expect(StorageCheckReport.run(path: file).isSound)
        let copy = try EventStore(readOnlyPath: file)
        #expect(try copy.events(since: 0).count >= 20000)
        service.store.close()
    }

    @Test func kioskctlBackupAndRestoreBringAKioskBack() throws {
        let state = try stateWithTickets(3000)
        let backup = run(["--state-dir", state, "backup"])
        #expect(backup.code == 0, "\(backup.err)")
        let file = backup.out.replacingOccurrences(of: "backup written: ", with: "").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(file.hasPrefix(state + "/backups/kiosk-manual-"), "\(file)")
        try scribbleMiddle(state + "/kiosk.sqlite")
        #expect(throws: (any Error).self) { _ = try KioskService(setup: setup, stateDirectory: state, now: Date()) }

        let usage = run(["--state-dir", state, "restore"])
        #expect(usage.code == 64)
        #expect(usage.err.contains(file), "restore without FILE lists the backups: \(usage.err)")
        let restored = run(["--state-dir", state, "restore", file])
        #expect(restored.code == 0, "\(restored.err)")
        #expect(restored.out.contains("ends at #3000"), "\(restored.out)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: state).contains { $0.hasPrefix("kiosk.sqlite.damaged-") })
        let service = try KioskService(setup: setup, stateDirectory: state, now: Date())
        #expect(try service.store.lastSequence() == 3000)
        // kioskd runs now: a second restore is refused.
        let busy = run(["--state-dir", state, "restore", file])
        #expect(busy.code == 75)
        #expect(busy.err.contains("a kioskd is using this state folder"), "\(busy.err)")
        service.store.close()
    }
}
