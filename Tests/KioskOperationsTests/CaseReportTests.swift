import Foundation
import KioskCore
import KioskStorage
import Testing

/// `kioskctl report` counts what became of the period's cases, even when it happened later.
@Suite("kioskctl report: cases")
struct CaseReportTests {
    @Test func aCaseAnsweredOnALaterDayCountsAsAnsweredInItsDaysReport() throws {
        let folder = makeTemporaryFolder("case-report")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = folder + "/kiosk.conf"
        try FileManager.default.copyItem(atPath: assetsFolder + "/kiosk.conf", toPath: config)
        try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
        // 2026-11-24 10:00 in Asia/Shanghai; the reply comes at 09:00 the next day, within 48 h.
        let opened = Date(timeIntervalSince1970: 1_795_485_600)
        var open = KioskEvent(.caseOpened, at: opened, day: "2026-11-24")
        open.caseRef = "R20261124-001"; open.ticket = "A001"; open.service = "repairs"; open.severity = .serious
        open.deadline = opened.addingTimeInterval(48 * 3600); open.resolveBy = opened.addingTimeInterval(6 * 3600)
        var reply = KioskEvent(.caseContacted, at: opened.addingTimeInterval(23 * 3600), day: "2026-11-25")
        reply.caseRef = "R20261124-001"; reply.channel = .counter; reply.staff = "1001"
        let store = try EventStore(path: folder + "/state/kiosk.sqlite")
        _ = try store.append([open, reply], kiosk: "kiosk-01")
        store.close()

        let json = try kioskctl(["--state-dir", folder + "/state", "--config", config, "report", "--date", "2026-11-24", "--json"])
        let report = try ReportFormatter.makeDecoder().decode(Report.self, from: Data(json.utf8))
        #expect(report.cases.opened == 1 && report.cases.answered == 1 && report.cases.answeredInTime == 1)
        #expect(report.caseFigures.all.medianSecondsToFirstReply == 23 * 3600.0)
        // Not resolved within 6 hours and still open: overdue now.
        #expect(report.caseFigures.all.overdue == 1 && report.caseFigures.byService.map(\.id) == ["repairs"])
    }
}
