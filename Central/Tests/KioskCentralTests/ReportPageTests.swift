import Foundation
import KioskCore
import KioskProtocol
import KioskReports
import Testing

@testable import KioskCentral

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The report pages at the centre are the kiosk's own page over the synced events: the same
/// numbers as the kiosk's ReportBuilder, with each kiosk's ticket numbers kept apart.
@Suite("Report pages on a real PostgreSQL", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct ReportPageTests {
    static let day = "2026-11-24"

    /// A morning at one kiosk: every kiosk numbers its tickets A001, A002, … (the clash a site or
    /// fleet report must survive). `shift` varies the waits and ratings from kiosk to kiosk.
    static func morning(shift: Int) -> [KioskEvent] {
        let start = Date(timeIntervalSince1970: 1_795_510_800)  // 2026-11-24T09:00:00Z
        var out: [KioskEvent] = []
        func add(_ type: EventType, _ t: Double, _ ticket: String, _ edit: (inout KioskEvent) -> Void = { _ in }) {
            var e = KioskEvent(type, at: start.addingTimeInterval(t), day: day)
            e.ticket = ticket
            e.counter = 1
            edit(&e)
            out.append(e)
        }
        for i in 0..<4 {
            let label = String(format: "A%03d", i + 1)
            let issued = Double(i * 600)
            let wait = Double((i + 1) * (3 + shift) * 60)
            add(.ticketIssued, issued, label) { $0.service = "repairs"; $0.estimateLow = 5; $0.estimateHigh = 10; $0.counter = nil }
            add(.ticketCalled, issued + wait, label)
            add(.serviceStarted, issued + wait + 20, label)
            add(.serviceFinished, issued + wait + 300, label) { $0.staff = "1001" }
            let level = (i + shift) % 4 + 1
            add(.ratingRecorded, issued + wait + 310, label) { $0.staff = "1001"; $0.rating = level; $0.score = ReportMath.score(level: level) }
        }
        return out
    }

    func upload(_ c: LiveCentral, kiosk: String, site: String, _ events: [KioskEvent]) async throws {
        let token = try await c.register(kiosk, site: site)
        let encoder = KioskEvent.makeEncoder()
        let batch: [[String: Any]] = try events.enumerated().map { i, e in
            ["seq": i + 1, "type": e.type.rawValue, "deviceTime": WireTime.string(e.time),
             "payload": try JSONSerialization.jsonObject(with: try encoder.encode(e))]
        }
        let r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": kiosk, "events": batch])
        #expect(r.status == 200 && r.json["ackedSeq"] as? Int == events.count)
    }

    /// Every `data-metric` → `data-value` the page shows.
    func figures(_ html: String) -> [String: String] {
        let regex = try! NSRegularExpression(pattern: #"data-metric="([^"]+)" data-value="([^"]+)""#)
        var out: [String: String] = [:]
        for m in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            out[String(html[Range(m.range(at: 1), in: html)!])] = String(html[Range(m.range(at: 2), in: html)!])
        }
        return out
    }

    @Test func siteAndFleetPagesShowTheKiosksOwnReportOverEveryKiosk() async throws {
        try await withLiveCentral { c in
            let a1 = Self.morning(shift: 0), a2 = Self.morning(shift: 1), b1 = Self.morning(shift: 3)
            try await upload(c, kiosk: "a1", site: "tower-a", a1)
            try await upload(c, kiosk: "a2", site: "tower-a", a2)
            try await upload(c, kiosk: "b1", site: "tower-b", b1)
            let now = Date()

            let site = try await c.call("GET", "/v1/admin/sites/tower-a/report.html?from=\(Self.day)&to=\(Self.day)", token: c.adminToken)
            #expect(site.status == 200)
            let sitePage = String(decoding: site.raw, as: UTF8.self)
            #expect(sitePage.hasPrefix("<!DOCTYPE html>") && !sitePage.lowercased().contains("<script"))
            #expect(sitePage.contains("a1, a2") && sitePage.contains("no configuration published"))
            let expectedSite = ReportBuilder.build(
                sources: [ReportSource(events: a1, configuration: Configuration()), ReportSource(events: a2, configuration: Configuration())], now: now)
            let shown = figures(sitePage)
            #expect(shown["overall.issued"] == "8", "both kiosks' A001…A004 are eight tickets")
            #expect(Double(shown["overall.wait.average"]!) == expectedSite.overall.wait.average)
            #expect(Double(shown["overall.satisfactionIndex"]!) == expectedSite.overall.satisfactionIndex)
            #expect(Double(shown["overall.withinTarget"]!) == expectedSite.overall.withinTarget)
            #expect(Double(shown["overall.promiseKept"]!) == expectedSite.overall.promiseKept)
            #expect(shown["hours[17].issued"] == String(expectedSite.hours[17].issued))

            let fleet = try await c.call("GET", "/v1/admin/report.html?from=\(Self.day)&to=\(Self.day)", token: c.adminToken)
            #expect(fleet.status == 200)
            let fleetShown = figures(String(decoding: fleet.raw, as: UTF8.self))
            #expect(fleetShown["overall.issued"] == "12")
            let expectedFleet = ReportBuilder.build(sources: [
                ReportSource(events: a1, configuration: Configuration(), staffScope: "tower-a"),
                ReportSource(events: a2, configuration: Configuration(), staffScope: "tower-a"),
                ReportSource(events: b1, configuration: Configuration(), staffScope: "tower-b"),
            ], now: now)
            #expect(Double(fleetShown["overall.wait.average"]!) == expectedFleet.overall.wait.average)
            // Staff 1001 of tower-a and of tower-b are two people on the fleet page.
            #expect(expectedFleet.staff.map(\.number) == ["tower-a/1001", "tower-b/1001"])
            #expect(Double(fleetShown["staff[1].satisfactionIndex"]!) == expectedFleet.staff[1].satisfactionIndex)
        }
    }

    /// `/v1/admin/reports` is the page's own report: a site whose published configuration sets
    /// `target-wait = 5` (not the default 10) gets the same share within target, waits, ratings
    /// and cases from the endpoint as from its page and from the kiosk's ReportBuilder.
    @Test func theReportEndpointFollowsEachServicesTargetWaitLikeThePage() async throws {
        try await withLiveCentral { c in
            let a1 = Self.morning(shift: 0), a2 = Self.morning(shift: 1)
            try await upload(c, kiosk: "a1", site: "tower-a", a1)
            try await upload(c, kiosk: "a2", site: "tower-a", a2)
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Kiosk/kiosk.conf"), encoding: .utf8)
                .replacingOccurrences(of: "target-wait = 10", with: "target-wait = 5")
            let published = try await c.call("POST", "/v1/admin/config", token: c.adminToken, json: ["site": "tower-a", "body": text])
            #expect(published.status == 201)
            guard case .success(let configuration) = ConfigurationParser.parse(text, file: "kiosk.conf") else {
                Issue.record("Kiosk/kiosk.conf with target-wait = 5 does not parse")
                return
            }
            #expect(configuration.service("repairs")?.targetWaitMinutes == 5)
            let expected = ReportBuilder.build(
                sources: [ReportSource(events: a1, configuration: configuration), ReportSource(events: a2, configuration: configuration)],
                now: Date())
            // Waits of 3, 6, 9, 12 and 4, 8, 12, 16 minutes: 2 of 8 within 5 minutes (4 within 10).
            #expect(expected.overall.withinTarget == 0.25)

            let r = try await c.call("GET", "/v1/admin/reports?site=tower-a&day=\(Self.day)", token: c.adminToken)
            #expect(r.status == 200)
            let rows = r.json["rows"] as? [[String: Any]] ?? []
            #expect(rows.count == 1)
            let row = rows.first ?? [:]
            #expect(row["site"] as? String == "tower-a" && row["day"] as? String == Self.day)
            #expect(row["withinTarget"] as? Double == 0.25)
            #expect(row["tickets"] as? Int == expected.overall.issued && row["called"] as? Int == expected.overall.called)
            #expect(row["served"] as? Int == expected.overall.served && row["ratings"] as? Int == expected.overall.ratings)
            #expect(row["waitAverageSeconds"] as? Double == expected.overall.wait.average)
            #expect(row["waitP90Seconds"] as? Double == expected.overall.wait.p90)
            #expect(row["promiseKept"] as? Double == expected.overall.promiseKept)
            #expect(row["satisfactionIndex"] as? Double == expected.overall.satisfactionIndex)
            #expect(row["csatPercent"] as? Double == expected.overall.csat.map { $0 * 100 })
            #expect(row["responseRate"] as? Double == expected.overall.responseRate)

            let page = try await c.call("GET", "/v1/admin/sites/tower-a/report.html?from=\(Self.day)&to=\(Self.day)", token: c.adminToken)
            let shown = figures(String(decoding: page.raw, as: UTF8.self))
            #expect(shown["overall.withinTarget"].flatMap(Double.init) == row["withinTarget"] as? Double)
            #expect(shown["overall.wait.average"].flatMap(Double.init) == row["waitAverageSeconds"] as? Double)
            #expect(shown["overall.issued"].flatMap(Int.init) == row["tickets"] as? Int)

            // Every site and day without filters: the other site's default target still counts.
            try await upload(c, kiosk: "b1", site: "tower-b", Self.morning(shift: 0))
            let all = try await c.call("GET", "/v1/admin/reports", token: c.adminToken)
            let bySite = Dictionary(uniqueKeysWithValues: (all.json["rows"] as? [[String: Any]] ?? []).map { ($0["site"] as? String ?? "", $0) })
            #expect(bySite.keys.sorted() == ["tower-a", "tower-b"])
            #expect(bySite["tower-a"]?["withinTarget"] as? Double == 0.25)
            #expect(bySite["tower-b"]?["withinTarget"] as? Double == 0.75, "3, 6, 9 of 3, 6, 9, 12 minutes within the default 10")
        }
    }

    @Test func badRequestsSayWhatToDoInHTMLForBrowsersAndJSONForScripts() async throws {
        try await withLiveCentral { c in
            try await upload(c, kiosk: "a1", site: "tower-a", Self.morning(shift: 0))
            var r = try await c.call("GET", "/v1/admin/report.html?from=yesterday", token: c.adminToken)
            #expect(r.status == 400 && r.json["error"] as? String == "bad-date")
            #expect((r.json["hint"] as? String)?.contains("YYYY-MM-DD") == true)
            r = try await c.call("GET", "/v1/admin/report.html?from=2026-11-30&to=2026-11-01", token: c.adminToken)
            #expect(r.status == 400 && r.json["error"] as? String == "bad-period")
            r = try await c.call("GET", "/v1/admin/report.html?from=2026-02-30", token: c.adminToken)
            #expect(r.status == 400 && r.json["error"] as? String == "bad-date")
            r = try await c.call("GET", "/v1/admin/sites/nowhere/report.html", token: c.adminToken)
            #expect(r.status == 404 && r.json["error"] as? String == "no-such-site")

            var request = URLRequest(url: URL(string: c.base + "/v1/admin/sites/tower-a/report.html?to=2026-13-01")!)
            request.setValue("Bearer \(c.adminToken)", forHTTPHeaderField: "Authorization")
            request.setValue("text/html,application/xhtml+xml", forHTTPHeaderField: "Accept")
            let (data, response) = try await URLSession.shared.data(for: request)
            let page = String(decoding: data, as: UTF8.self)
            #expect((response as! HTTPURLResponse).statusCode == 400)
            #expect((response as! HTTPURLResponse).value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.contains("to=2026-13-01 is not a day") && page.contains("YYYY-MM-DD"))

            // A kiosk's token cannot read reports.
            let kiosk = try await c.register("a9", site: "tower-a")
            r = try await c.call("GET", "/v1/admin/report.html", token: kiosk)
            #expect(r.status == 403)
            // Without dates: the latest day with events.
            r = try await c.call("GET", "/v1/admin/sites/tower-a/report.html", token: c.adminToken)
            #expect(r.status == 200 && String(decoding: r.raw, as: UTF8.self).contains(Self.day))
        }
    }
}
