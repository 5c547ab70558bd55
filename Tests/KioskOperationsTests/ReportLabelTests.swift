import Foundation
import KioskCore
import Testing

/// `kioskctl report` names follow-up reasons and root causes by the catalog's label in the
/// configured language ("等候时间长", "Long wait"), never by the key; `--json` keeps the keys.
@Suite("kioskctl report: reason labels")
struct ReportLabelTests {
    @Test func reasonsShowTheirCatalogLabelInTextAndHTMLAndKeysInJSON() throws {
        let (state, config) = try makeThreeDaysOfVisits()
        let folder = URL(fileURLWithPath: state).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let range = ["--from", "2026-11-20", "--to", "2026-11-22"]
        let base = ["--state-dir", state, "--config", config, "report"] + range

        let json = try kioskctl(base + ["--json"])
        #expect(json.contains("\"reason.wait\""), "the fixture has low ratings with reason 1")
        let text = try kioskctl(base)
        #expect(text.contains("Follow-up reasons"))
        #expect(text.contains("等候时间长 "), "\(text)")
        #expect(!text.contains("reason."), "\(text)")

        let page = folder + "/report.html"
        _ = try kioskctl(base + ["--html", page])
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(!html.contains(">reason.") && !html.contains(">cause."))
        let report = try ReportFormatter.makeDecoder().decode(Report.self, from: Data(json.utf8))
        if report.caseFigures.all.opened > 0 { #expect(html.contains("等候时间长")) }

        // An English kiosk: the English catalog's labels.
        let english = try String(contentsOfFile: config, encoding: .utf8)
            .replacingOccurrences(of: "\nlanguage = zh-Hans", with: "\nlanguage = en")
        try english.write(toFile: config, atomically: true, encoding: .utf8)
        let englishText = try kioskctl(base)
        #expect(englishText.contains("Long wait "), "\(englishText)")
        #expect(!englishText.contains("reason."))
    }

    @Test func aKeyTheCatalogLacksShowsAsItself() {
        let tally = ServiceReport(id: "all", name: "All", reasons: ["reason.wait": 2, "reason.custom": 1])
        let report = Report(kiosk: "k", site: "s", timeZone: "UTC", days: ["2026-11-24"], generatedAt: Date(),
                            services: [], overall: tally, staff: [], care: CareReport(predicted: 0, raised: 0, acknowledged: 0, averageMinutesToAcknowledge: nil),
                            cases: CaseReport(opened: 0, answered: 0, answeredInTime: 0, overdue: 0, shareAnswered: nil, shareAnsweredInTime: nil), hours: [])
        let catalog = Catalog(language: .english, entries: ["reason.wait": "Long wait"])
        let text = ReportFormatter.text(report, catalog: catalog)
        #expect(text.contains("Long wait 2, reason.custom 1"), "\(text)")
    }
}
