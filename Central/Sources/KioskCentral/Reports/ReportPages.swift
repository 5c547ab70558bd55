import Foundation
import Hummingbird
import KioskCore
import KioskProtocol
import KioskReports
import Logging
import PostgresNIO

/// The manager's report page at the centre, per site and for the whole fleet: the synced event
/// payloads are the kiosk's own `KioskEvent` JSON, folded per kiosk and business day by the
/// kiosk's own `ReportDayFold` and stored (ReportDays.swift); a page merges the stored days with
/// the kiosk's `ReportPeriodFold` and draws them with its `ReportHTML`. `kioskctl report` merges
/// its own day folds the same way, so a site page and `kioskctl report --html` on its kiosk
/// agree by construction. Memory follows the kiosks, services, staff, days and cases of the
/// period, not its events.
///
/// Each kiosk is its own `ReportSource`: ticket numbers, counters and case references repeat
/// from kiosk to kiosk. On the fleet page staff numbers are scoped by site (1001 at two sites is
/// two people). Names, wait targets, reply deadlines, time zone and business-day start come from
/// the site's newest published configuration, else from the built-in defaults.
public enum ReportPages {
    /// Longest period one page may cover.
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

    /// The page for one site (`site` set) or for every site (`site` nil), and where its figures
    /// were read (`ReportReplica`). `catalogs` (`serve --catalog-dir`): reasons and root causes
    /// shown by their labels in the site's language (the fleet page: Chinese), else by key.
    public static func page(
        store: CentralStore, site: String?, from: String?, to: String?, now: Date = Date(), catalogs: Catalogs? = nil
    ) async throws -> (html: String, source: ReportReader.Source) {
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
        // The period's stored day folds (ReportDays.swift), each kiosk its own source.
        let reader = try await store.prepareReportDays(site: site, from: first, to: last, configurations: &configurations)
        let kiosks = try await store.reportKiosks(site: site, from: first, to: last, on: reader)
        var siteConfiguration: [String: Configuration] = [:]
        var sources: [ReportFold.Source] = []
        for kiosk in kiosks {
            let configuration = try await configurations.configuration(kiosk.site)
            siteConfiguration[kiosk.site] = configuration
            sources.append(ReportFold.Source(configuration: configuration, staffScope: site == nil ? kiosk.site : nil))
        }
        if sources.isEmpty { sources = [ReportFold.Source(configuration: headerConfiguration)] }
        // The case figures come from the centre's own (authoritative) case states.
        let states = try await store.caseStatesByKiosk(sites: site.map { [$0] }, from: first, to: last, on: reader)
        // Two halves of the period are read and merged at once (a second core), then joined.
        let header = headerConfiguration, frozen = sources, configured = siteConfiguration
        @Sendable func half(_ from: String, _ to: String) async throws -> (ReportPeriodFold, Int, Int) {
            var fold = ReportPeriodFold(sources: frozen, now: now)
            var unreadable = 0
            let undecodable = try await store.forEachReportDay(site: site, from: from, to: to, on: reader) { k, s, day, bad in
                unreadable += bad
                fold.add(day, configuration: configured[s] ?? header, staffScope: site == nil ? s : nil,
                         caseState: { states[k]?[$0] })
            }
            return (fold, unreadable, undecodable)
        }
        var (fold, unreadable, undecodable) = (ReportPeriodFold(sources: sources, now: now), 0, 0)
        if let (end, start) = halves(first, last) {
            async let early = half(first, end)
            async let late = half(start, last)
            let (a, b) = (try await early, try await late)
            fold = a.0
            fold.append(b.0)
            (unreadable, undecodable) = (a.1 + b.1, a.2 + b.2)
        } else {
            (fold, unreadable, undecodable) = try await half(first, last)
        }
        let period = fold.finish()
        var report = period.report
        let names = kiosks.map(\.kiosk)
        let sites = Set(kiosks.map(\.site))
        func counted(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let source: String
        if let site {
            report.site = site
            report.kiosk = names.isEmpty ? "(no events)" : names.joined(separator: ", ")
            source = names.isEmpty ? "No kiosk has synced events for this period" : "\(names.count == 1 ? "Kiosk" : "Kiosks") \(report.kiosk)"
        } else {
            report.site = "all sites 全部站点"
            report.kiosk = "\(counted(names.count, "kiosk")) at \(counted(sites.count, "site"))"
            source = report.kiosk
        }
        var notes = configurations.notes
        notes.insert("kiosk-central: \(fold.period.events) events synced from \(counted(names.count, "kiosk")), \(first) to \(last).", at: 0)
        if unreadable > 0 {
            notes.append("\(unreadable) stored events could not be read as kiosk events (a newer kiosk version?) and are left out.")
        }
        if undecodable > 0 {
            notes.append("\(undecodable) stored report days could not be read (written by a newer kiosk-central?) and are left out.")
        }
        let html = ReportHTML.page(report: report, daily: period.daily, distribution: period.distribution,
                                   targetMinutes: period.targetMinutes, notes: notes, source: source,
                                   labels: catalogs?[headerConfiguration.language].entries ?? [:])
        return (html, reader.source)
    }

    /// The last day of a period's first half and the first of its second (nil for one day).
    static func halves(_ first: String, _ last: String) -> (String, String)? {
        guard let a = date(first), let b = date(last), a < b else { return nil }
        let days = Int(b.timeIntervalSince(a) / 86_400)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return (f.string(from: a.addingTimeInterval(Double(days / 2) * 86_400)),
                f.string(from: a.addingTimeInterval(Double(days / 2 + 1) * 86_400)))
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
            let page = try await ReportPages.page(
                store: store, site: site, from: q["from"].map(String.init), to: q["to"].map(String.init), catalogs: desk.catalogs)
            var response = ReportPages.htmlResponse(page.html)
            response.headers[ReportReader.header] = page.source.rawValue
            return response
        } catch let e as APIError where (request.headers[.accept] ?? "").contains("text/html") {
            return ReportPages.errorPage(e)
        }
    }
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
            "SELECT max(day) FROM report_days WHERE (\(site)::text IS NULL OR site_id = \(site))", logger: logger)
        for try await d in rows.decode(String?.self) { return d }
        return nil
    }

    /// The centre's case states of the cases opened in `from`…`to`, by kiosk and reference.
    func caseStatesByKiosk(sites: [String]?, from: String?, to: String?, on reader: ReportReader) async throws -> [String: [String: CaseState]] {
        var out: [String: [String: CaseState]] = [:]
        for state in try await caseStates(sites: sites, from: from, to: to, on: reader) {
            let kiosk = state.kiosk ?? ""
            if let held = out[kiosk]?[state.ref], held.version >= state.version { continue }
            out[kiosk, default: [:]][state.ref] = state
        }
        return out
    }
}
