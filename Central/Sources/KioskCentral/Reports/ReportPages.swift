import Foundation
import Hummingbird
import KioskCore
import KioskReports
import Logging
import PostgresNIO

/// The manager's report page at the centre, per site and for the whole fleet: the synced event
/// payloads are the kiosk's own `KioskEvent` JSON, so they are decoded back and run through the
/// kiosk's `ReportPeriod` (ReportBuilder + ReportHTML). A site page and `kioskctl report --html`
/// on its kiosk therefore agree by construction.
///
/// Each kiosk is its own `ReportSource`: ticket numbers, counters and case references repeat
/// from kiosk to kiosk. On the fleet page staff numbers are scoped by site (1001 at two sites is
/// two people). Names, wait targets, reply deadlines, time zone and business-day start come from
/// the site's newest published configuration, else from the built-in defaults.
public enum ReportPages {
    /// Longest period one page may cover (the events of the period are read into memory).
    public static let maxDays = 366

    /// Checks `from`/`to` (YYYY-MM-DD, real dates, in order, at most `maxDays` apart).
    public static func validatePeriod(from: String?, to: String?) throws {
        for (name, value) in [("from", from), ("to", to)] {
            guard let value else { continue }
            guard date(value) != nil else {
                throw APIError.badRequest(
                    "bad-date", "\(name)=\(value) is not a day",
                    hint: "write days as YYYY-MM-DD, e.g. ?from=2026-11-01&to=2026-11-30 (both optional: the latest day with events)")
            }
        }
        if let from, let to, let a = date(from), let b = date(to) {
            guard a <= b else {
                throw APIError.badRequest("bad-period", "from=\(from) is after to=\(to)", hint: "swap them: from is the first day, to the last")
            }
            let days = Int(b.timeIntervalSince(a) / 86_400) + 1
            guard days <= maxDays else {
                throw APIError.badRequest(
                    "period-too-long", "\(from) to \(to) is \(days) days; one page covers at most \(maxDays)",
                    hint: "ask for a shorter period, e.g. one month")
            }
        }
    }

    /// A calendar day "YYYY-MM-DD" (nil for anything else, including 2026-02-30).
    static func date(_ s: String) -> Date? {
        guard s.utf8.count == 10, s.range(of: #"^\d{4}-\d{2}-\d{2}$"#, options: .regularExpression) != nil else { return nil }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        f.isLenient = false
        guard let d = f.date(from: s), f.string(from: d) == s else { return nil }
        return d
    }

    /// The page for one site (`site` set) or for every site (`site` nil).
    public static func page(store: CentralStore, site: String?, from: String?, to: String?, now: Date = Date()) async throws -> String {
        try validatePeriod(from: from, to: to)
        if let site, try await !store.siteExists(site) {
            throw APIError(.notFound, "no-such-site", "there is no site \(site)", hint: "check the id with `kiosk-central admin kiosks`")
        }
        let latest = try await store.latestEventDay(site: site)
        var configurations = SiteConfigurations(store: store)
        var headerConfiguration = Configuration()
        if let site { headerConfiguration = try await configurations.configuration(site) }
        let last = to ?? (from.map { max($0, latest ?? $0) } ?? latest ?? LocalCalendar(headerConfiguration).businessDay(of: now))
        let first = from ?? last
        try validatePeriod(from: first, to: last)
        let loaded = try await store.reportEvents(site: site, from: first, to: last)
        var sources: [ReportSource] = []
        // The case figures come from the centre's own (authoritative) case states.
        let states = Dictionary(
            grouping: try await store.caseStates(sites: site.map { [$0] }, from: first, to: last), by: { $0.kiosk ?? "" })
        for kiosk in loaded.kiosks {
            var source = ReportSource(
                events: kiosk.events, configuration: try await configurations.configuration(kiosk.site),
                cases: states[kiosk.kiosk] ?? [])
            if site == nil { source.staffScope = kiosk.site }
            sources.append(source)
        }
        if sources.isEmpty { sources = [ReportSource(events: [], configuration: headerConfiguration)] }
        let period = ReportPeriod(sources: sources, now: now)
        var report = period.report
        let kiosks = loaded.kiosks.map(\.kiosk)
        let sites = Set(loaded.kiosks.map(\.site))
        func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let source: String
        if let site {
            report.site = site
            report.kiosk = kiosks.isEmpty ? "(no events)" : kiosks.joined(separator: ", ")
            source = kiosks.isEmpty ? "No kiosk has synced events for this period" : "\(kiosks.count == 1 ? "Kiosk" : "Kiosks") \(report.kiosk)"
        } else {
            report.site = "all sites 全部站点"
            report.kiosk = "\(counted(kiosks.count, "kiosk")) at \(counted(sites.count, "site"))"
            source = report.kiosk
        }
        let count = loaded.kiosks.reduce(0) { $0 + $1.events.count }
        var notes = configurations.notes
        notes.insert("kiosk-central: \(count) events synced from \(counted(kiosks.count, "kiosk")), \(first) to \(last).", at: 0)
        if loaded.unreadable > 0 {
            notes.append("\(loaded.unreadable) stored events could not be read as kiosk events (a newer kiosk version?) and are left out.")
        }
        return ReportHTML.page(report: report, daily: period.daily, distribution: period.distribution,
                               targetMinutes: period.targetMinutes, notes: notes, source: source)
    }

    /// An error as a small HTML page, for people who open a report URL in a browser.
    static func errorPage(_ e: APIError) -> Response {
        let esc = { (s: String) in
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(e.status.code) \(esc(e.reply.error))</title></head>
            <body style="font-family: sans-serif; margin: 24px">
            <h1>\(esc(e.reply.message))</h1>
            <p>\(esc(e.reply.hint))</p>
            <p style="color: #666">\(e.status.code) \(esc(e.reply.error))</p>
            </body></html>

            """
        return htmlResponse(html, status: e.status)
    }

    static func htmlResponse(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

extension CentralRoutes {
    /// `GET /v1/admin/sites/{site}/report.html` and `GET /v1/admin/report.html` (the fleet). Errors
    /// are HTML for browsers (Accept: text/html) and the usual JSON for scripts and the CLI.
    func addReportPages(to router: Router<BasicRequestContext>) {
        router.get("/v1/admin/sites/:site/report.html") { request, context in
            try await reportPage(request, site: context.parameters.get("site") ?? "")
        }
        router.get("/v1/admin/report.html") { request, context in
            try await reportPage(request, site: nil)
        }
    }

    func reportPage(_ request: Request, site: String?) async throws -> Response {
        do {
            try await requireAdmin(request)
            let q = request.uri.queryParameters
            let html = try await ReportPages.page(
                store: store, site: site, from: q["from"].map(String.init), to: q["to"].map(String.init))
            return ReportPages.htmlResponse(html)
        } catch let e as APIError where (request.headers[.accept] ?? "").contains("text/html") {
            return ReportPages.errorPage(e)
        }
    }
}

/// The events of one kiosk in a report's period.
struct KioskReportEvents {
    var kiosk: String
    var site: String
    var events: [KioskEvent]
}

extension CentralStore {
    func siteExists(_ site: String) async throws -> Bool {
        for try await n in try await client.query("SELECT count(*) FROM sites WHERE id = \(site)", logger: logger).decode(Int64.self) {
            return n > 0
        }
        return false
    }

    /// The latest business day with events (of one site, or anywhere).
    func latestEventDay(site: String?) async throws -> String? {
        let rows = try await client.query(
            "SELECT max(payload->>'day') FROM events WHERE (\(site)::text IS NULL OR site_id = \(site))", logger: logger)
        for try await d in rows.decode(String?.self) { return d }
        return nil
    }

    /// Every event of the business days `from`…`to`, decoded as the kiosk's own events, per
    /// kiosk in seq order; payloads that do not decode are counted.
    func reportEvents(site: String?, from: String, to: String) async throws -> (kiosks: [KioskReportEvents], unreadable: Int) {
        let rows = try await client.query(
            """
            SELECT site_id, kiosk_id, payload::text FROM events
            WHERE (\(site)::text IS NULL OR site_id = \(site))
              AND payload->>'day' >= \(from) AND payload->>'day' <= \(to)
            ORDER BY site_id, kiosk_id, seq
            """, logger: logger)
        let decoder = KioskEvent.makeDecoder()
        var out: [KioskReportEvents] = []
        var unreadable = 0
        for try await (s, k, payload) in rows.decode((String, String, String).self) {
            guard let e = try? decoder.decode(KioskEvent.self, from: Data(payload.utf8)) else {
                unreadable += 1
                continue
            }
            if out.last?.kiosk != k { out.append(KioskReportEvents(kiosk: k, site: s, events: [])) }
            out[out.count - 1].events.append(e)
        }
        return (out, unreadable)
    }
}
