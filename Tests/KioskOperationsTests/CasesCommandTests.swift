import Foundation
import KioskProtocol
import KioskStorage
import Testing

@testable import KioskRuntime

/// `kioskctl cases`: what the operator reads about the pulled case states, offline, from the
/// state folder alone.
@Suite("kioskctl cases")
struct CasesCommandTests {
    /// 2026-11-20T01:00:00Z, 09:00 in Asia/Shanghai (kiosk.conf's time zone); long past, so open
    /// deadlines are overdue whatever day the test runs.
    let opened = Date(timeIntervalSince1970: 1_795_136_400)

    func folderWithPulledCases() throws -> (state: String, config: String) {
        let folder = makeTemporaryFolder("cases")
        let config = folder + "/kiosk.conf"
        try FileManager.default.copyItem(atPath: assetsFolder + "/kiosk.conf", toPath: config)
        let store = try EventStore(path: EventStore.defaultPath(stateDirectory: folder + "/state"))
        defer { store.close() }
        var waiting = CaseState(ref: "R20261120-001", day: "2026-11-20", severity: .serious, openedAt: opened, replyBy: opened.addingTimeInterval(48 * 3600))
        waiting.resolveBy = opened.addingTimeInterval(6 * 3600)
        waiting.version = 1
        var replied = CaseState(ref: "R20261120-002", day: "2026-11-20", severity: .ordinary, openedAt: opened.addingTimeInterval(600), replyBy: opened.addingTimeInterval(600 + 48 * 3600))
        replied.resolveBy = opened.addingTimeInterval(600 + 1800)
        replied.status = .handling
        replied.assignee = "wang.li"
        replied.firstReplyAt = opened.addingTimeInterval(900)
        replied.version = 3
        var closed = CaseState(ref: "R20261119-004", day: "2026-11-19", severity: .ordinary, openedAt: opened.addingTimeInterval(-86_400), replyBy: opened.addingTimeInterval(86_400))
        closed.status = .closed
        closed.assignee = "zhao.min"
        closed.version = 6
        try store.storePulledCases(
            CasesReply(cases: [waiting, replied, closed], next: 42, more: false, serverTime: "2026-11-20T02:00:00.000Z"),
            asOf: opened.addingTimeInterval(3600))
        return (folder + "/state", config)
    }

    @Test func theListSaysWhoHasEachCaseItsNextDeadlineAndAsOfWhen() throws {
        let (state, config) = try folderWithPulledCases()
        let text = try kioskctl(["--state-dir", state, "--config", config, "cases"])
        let lines = text.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines == [
            "Cases as the centre had them on 2026-11-20 10:00 (3):",
            "ref status assignee next deadline",
            "R20261120-002 handling wang.li resolve by 11-20 09:40 (overdue)",
            "R20261120-001 received - resolve by 11-20 15:00 (overdue)",
            "R20261119-004 closed zhao.min -",
        ], "\(text)")
    }

    @Test func jsonCarriesTheStatesAsTheProtocolDoes() throws {
        let (state, config) = try folderWithPulledCases()
        let text = try kioskctl(["--state-dir", state, "--config", config, "cases", "--json"])
        struct Listing: Decodable { var asOf: String?; var next: Int64; var cases: [CaseState] }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(text.utf8))
        #expect(listing.asOf == "2026-11-20T02:00:00.000Z" && listing.next == 42)
        #expect(listing.cases.map(\.ref) == ["R20261120-002", "R20261120-001", "R20261119-004"])
        #expect(listing.cases.first?.firstReplyAt == opened.addingTimeInterval(900))
    }

    @Test func nothingPulledYetSaysWhy() throws {
        let folder = makeTemporaryFolder("cases")
        try EventStore(path: EventStore.defaultPath(stateDirectory: folder)).close()
        let text = try kioskctl(["--state-dir", folder, "--config", assetsFolder + "/kiosk.conf", "cases"])
        #expect(text.hasPrefix("No case states pulled from the centre yet"), "\(text)")
        var err = ""
        let code = ControlCommand.main(["--state-dir", folder, "--config", assetsFolder + "/kiosk.conf", "cases", "--open"], output: { _ in }, error: { err += $0 })
        #expect(code == 64 && err.contains("unknown option '--open'; cases: use --json"), "\(err)")
    }
}

extension CasesCommandTests {
    @Test func statusSaysHowFreshThePulledStatesAre() throws {
        let folder = makeTemporaryFolder("cases-status")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/kiosk.conf"
        try PublishedConfigurationTests.local.write(toFile: path, atomically: true, encoding: .utf8)
        let setup = try KioskSetup.load(configPath: path, assets: assetsFolder).get()
        let store = try EventStore(path: folder + "/kiosk.sqlite")
        defer { store.close() }
        #expect(CentralSync.statusText(store, setup).contains("  case states: not pulled from the centre yet\n"))
        let state = CaseState(ref: "R20261120-001", day: "2026-11-20", severity: .serious, openedAt: opened, replyBy: opened.addingTimeInterval(48 * 3600))
        try store.storePulledCases(CasesReply(cases: [state], next: 42, more: false, serverTime: "2026-11-20T02:00:00.000Z"), asOf: opened.addingTimeInterval(3600))
        let text = CentralSync.statusText(store, setup)
        #expect(text.contains("  case states: 1 pulled through change #42, as of 2026-11-20 10:00 (kioskctl cases)\n"), "\(text)")
    }
}
