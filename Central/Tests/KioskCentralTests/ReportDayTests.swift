import Foundation
import KioskCore
import KioskProtocol
import KioskReports
import Testing

@testable import KioskCentral

/// The centre's reports come from its stored day folds (`report_days`): for several days of
/// several kiosks, uploaded in batches, the site and fleet pages and `/v1/admin/reports` show
/// exactly what the kiosk's own `ReportPeriod` computes from the same events, and an upload into
/// a day already folded shows on the next page.
@Suite("Reports from stored day folds on a real PostgreSQL", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct ReportDayTests {
    static let days = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"]

    /// A deterministic busy-ish day at one kiosk: tickets in two services, waits and service
    /// times with fractions of a second (the kiosk's clock has them; the wire keeps whole
    /// seconds), transfers, no-shows, walk-outs, ratings, care alerts, a closed day.
    static func day(_ day: String, kiosk: Int) -> [KioskEvent] {
        var seed = UInt64(kiosk * 7919 + (days.firstIndex(of: day) ?? 0) * 104_729 + 1)
        func next(_ n: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(n))
        }
        let parts = day.split(separator: "-").map { Int($0)! }
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let opens = c.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2], hour: 9))!
        var out: [KioskEvent] = []
        func add(_ type: EventType, _ at: Double, _ ticket: String?, _ edit: (inout KioskEvent) -> Void = { _ in }) {
            var e = KioskEvent(type, at: opens.addingTimeInterval(at), day: day)
            e.ticket = ticket
            edit(&e)
            out.append(e)
        }
        add(.staffLoggedIn, 0, nil) { $0.counter = 1; $0.staff = "1001" }
        add(.staffLoggedIn, 0, nil) { $0.counter = 2; $0.staff = "2001" }
        for i in 0..<(40 + next(20)) {
            let label = String(format: "A%03d", i + 1)
            let service = next(3) == 0 ? "fees" : "repairs"
            let issued = Double(i * 240 + next(200)) + 0.25 * Double(next(4))
            let counter = 1 + next(2), staff = counter == 1 ? "1001" : "2001"
            add(.ticketIssued, issued, label) {
                $0.service = service; $0.priority = next(10) == 0
                $0.estimateLow = 5 * next(3); $0.estimateHigh = $0.estimateLow! + 10; $0.estimateSeconds = next(3) == 0 ? nil : 60 * next(15)
            }
            if next(12) == 0 { continue }  // never called: a walk-out once the day is over
            let wait = Double(30 + next(1500)) + 0.5 * Double(next(2))
            add(.ticketCalled, issued + wait, label) { $0.counter = counter; $0.staff = staff }
            if wait > 1200 {
                add(.careAlertRaised, issued + 1200, label)
                add(.careAcknowledged, issued + 1200 + Double(next(300)) + 0.75, label) { $0.counter = counter }
            }
            if next(10) == 0 {
                add(.ticketNoShow, issued + wait + 120, label) { $0.counter = counter; $0.staff = staff }
                continue
            }
            var at = issued + wait + 15.5
            if next(8) == 0 {
                add(.ticketTransferred, at, label) { $0.fromService = service; $0.service = "fees"; $0.counter = counter }
                at += Double(60 + next(600))
                add(.ticketCalled, at, label) { $0.counter = counter; $0.staff = staff }
            }
            add(.serviceStarted, at + 10, label) { $0.counter = counter; $0.staff = staff }
            add(.serviceFinished, at + 10 + Double(60 + next(900)) + 0.125, label) { $0.counter = counter; $0.staff = staff }
            let level = 1 + next(4)
            if next(4) != 0 {
                add(.ratingRecorded, at + 1000, label) {
                    $0.counter = counter; $0.staff = staff; $0.rating = level; $0.score = ReportMath.score(level: level)
                }
                if level >= 3 { add(.ratingReason, at + 1005, label) { $0.counter = counter; $0.reason = "reason.slow" } }
            } else {
                add(.notRated, at + 1000, label) { $0.counter = counter }
            }
        }
        if kiosk % 2 == 0 { add(.dayClosed, 12 * 3600, nil) }
        return out
    }

    /// Registers `kiosk` and uploads `events` in batches of `batch`, seqs from 1.
    func upload(_ c: LiveCentral, kiosk: String, site: String, _ events: [KioskEvent], batch: Int = 150) async throws -> String {
        let token = try await c.register(kiosk, site: site)
        try await send(c, token: token, kiosk: kiosk, events, firstSeq: 1, batch: batch)
        return token
    }

    func send(_ c: LiveCentral, token: String, kiosk: String, _ events: [KioskEvent], firstSeq: Int, batch: Int = 150) async throws {
        let encoder = KioskEvent.makeEncoder()
        for start in stride(from: 0, to: events.count, by: batch) {
            let part = Array(events[start..<min(start + batch, events.count)])
            let body: [[String: Any]] = try part.enumerated().map { i, e in
                ["seq": firstSeq + start + i, "type": e.type.rawValue, "deviceTime": WireTime.string(e.time),
                 "payload": try JSONSerialization.jsonObject(with: try encoder.encode(e))]
            }
            let r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": kiosk, "events": body])
            #expect(r.status == 200 && r.json["ackedSeq"] as? Int == firstSeq + start + part.count - 1)
        }
    }

    /// Every `data-metric` → `data-value` a page shows.
    func figures(_ html: String) -> [String: String] {
        let regex = try! NSRegularExpression(pattern: #"data-metric="([^"]+)" data-value="([^"]+)""#)
        var out: [String: String] = [:]
        for m in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            out[String(html[Range(m.range(at: 1), in: html)!])] = String(html[Range(m.range(at: 2), in: html)!])
        }
        return out
    }

    func page(_ c: LiveCentral, _ path: String) async throws -> [String: String] {
        let r = try await c.call("GET", path, token: c.adminToken)
        #expect(r.status == 200)
        return figures(String(decoding: r.raw, as: UTF8.self))
    }

    @Test func pagesAndTheEndpointEqualTheKiosksOwnMergeOverDaysAndKiosks() async throws {
        try await withLiveCentral { c in
            let kiosks = [("a1", "tower-a", 1), ("a2", "tower-a", 2), ("b1", "tower-b", 3)]
            var events: [String: [KioskEvent]] = [:]
            var tokens: [String: String] = [:]
            for (k, site, n) in kiosks {
                events[k] = Self.days.flatMap { Self.day($0, kiosk: n) }
                tokens[k] = try await upload(c, kiosk: k, site: site, events[k]!)
            }
            #expect(events.values.allSatisfy { $0.count > 600 })
            let now = Date()
            let (first, last) = (Self.days[0], Self.days[3])
            func expected(_ site: String?) -> ReportPeriod {
                ReportPeriod(sources: kiosks.filter { site == nil || $0.1 == site }.map {
                    ReportSource(events: events[$0.0]!, configuration: Configuration(), staffScope: site == nil ? $0.1 : nil)
                }, now: now)
            }
            // The site page: exactly the kiosk's own page over both kiosks' events.
            var shown = try await page(c, "/v1/admin/sites/tower-a/report.html?from=\(first)&to=\(last)")
            var own = figures(expected("tower-a").html())
            #expect(shown.count > 100 && shown == own, "\(shown.filter { own[$0.key] != $0.value }.prefix(5))")
            // The fleet page: staff scoped by site, every kiosk its own tickets.
            shown = try await page(c, "/v1/admin/report.html?from=\(first)&to=\(last)")
            own = figures(expected(nil).html())
            #expect(shown == own, "\(shown.filter { own[$0.key] != $0.value }.prefix(5))")
            #expect(expected(nil).report.overall.walkOuts > 0 && expected(nil).report.care.raised > 0)

            // /v1/admin/reports: one row per site and day, each that site-day's own report.
            let r = try await c.call("GET", "/v1/admin/reports", token: c.adminToken)
            let rows = r.json["rows"] as? [[String: Any]] ?? []
            #expect(rows.count == 2 * Self.days.count)
            for row in rows {
                let site = row["site"] as? String ?? "", day = row["day"] as? String ?? ""
                let report = ReportBuilder.build(sources: kiosks.filter { $0.1 == site }.map {
                    ReportSource(events: events[$0.0]!.filter { $0.day == day }, configuration: Configuration())
                }, now: now)
                // (Foundation's JSON parser may miss a double's last bit.)
                func same(_ field: String, _ value: Double?) -> Bool {
                    guard let v = value, let shown = row[field] as? Double else { return value == nil && row[field] is NSNull }
                    return abs(shown - v) <= 1e-12 * max(1, abs(v))
                }
                #expect(row["tickets"] as? Int == report.overall.issued && row["served"] as? Int == report.overall.served)
                #expect(same("waitAverageSeconds", report.overall.wait.average) && same("waitP90Seconds", report.overall.wait.p90))
                #expect(same("withinTarget", report.overall.withinTarget), "\(site) \(day)")
                #expect(same("satisfactionIndex", report.overall.satisfactionIndex), "\(site) \(day)")
                #expect(same("noShowRate", report.overall.noShowRate) && same("promiseKept", report.overall.promiseKept))
            }

            // Nothing is left dirty; the summariser finds nothing to do.
            #expect(try await c.store.foldDirtyReportDays() == 0)

            // A late upload into a folded day (the kiosk was offline): the next page counts it.
            let late = Self.day(Self.days[1], kiosk: 9).map { e -> KioskEvent in
                var e = e
                e.ticket = e.ticket.map { "B" + $0.dropFirst() }
                return e
            }
            try await send(c, token: tokens["a1"]!, kiosk: "a1", late, firstSeq: events["a1"]!.count + 1)
            events["a1"]! += late
            shown = try await page(c, "/v1/admin/sites/tower-a/report.html?from=\(first)&to=\(last)")
            own = figures(expected("tower-a").html())
            #expect(shown == own, "\(shown.filter { own[$0.key] != $0.value }.prefix(5))")

            // The background summariser folds dirty days once they are due.
            try await send(c, token: tokens["b1"]!, kiosk: "b1", late, firstSeq: events["b1"]!.count + 1)
            #expect(try await c.store.foldDirtyReportDays(olderThan: 3600) == 0, "not due yet")
            #expect(try await c.store.foldDirtyReportDays(olderThan: 0) == 1, "b1's one day")
        }
    }

    /// A site whose configuration changes time zone: its days' hours are counted again.
    @Test func aNewTimeZoneRefoldsTheDaysHours() async throws {
        try await withLiveCentral { c in
            let events = Self.day(Self.days[0], kiosk: 1)
            _ = try await upload(c, kiosk: "a1", site: "tower-a", events)
            let path = "/v1/admin/sites/tower-a/report.html?from=\(Self.days[0])&to=\(Self.days[0])"
            let before = try await page(c, path)
            let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Kiosk/kiosk.conf"), encoding: .utf8)
                .replacingOccurrences(of: "timezone = Asia/Shanghai", with: "timezone = Europe/Berlin")
            let published = try await c.call("POST", "/v1/admin/config", token: c.adminToken, json: ["site": "tower-a", "body": text])
            #expect(published.status == 201)
            guard case .success(let configuration) = ConfigurationParser.parse(text, file: "kiosk.conf") else {
                Issue.record("Kiosk/kiosk.conf in Europe/Berlin does not parse")
                return
            }
            let after = try await page(c, path)
            let own = figures(ReportPeriod(sources: [ReportSource(events: events, configuration: configuration)], now: Date()).html())
            #expect(after == own, "\(after.filter { own[$0.key] != $0.value }.prefix(5))")
            // 09:00 in Shanghai is 02:00 in Berlin: the chart now starts at 02.
            #expect(before["hours[2].issued"] == nil && before["hours[9].issued"] != "0")
            #expect(after["hours[2].issued"] != nil && after["hours[2].issued"] != "0" && after["hours[9].issued"] == "0")
        }
    }
}
