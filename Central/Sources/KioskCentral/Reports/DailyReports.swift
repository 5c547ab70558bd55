import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// The configurations of the sites a report covers: each site's newest published configuration
/// (names, wait targets, reply deadlines, time zone, business-day start), else the built-in
/// defaults. Read once per site per request; `notes` says which one each site got, for a page.
struct SiteConfigurations {
    let store: CentralStore
    private(set) var notes: [String] = []
    private var parsed: [String: Configuration] = [:]

    init(store: CentralStore) { self.store = store }

    mutating func configuration(_ site: String) async throws -> Configuration {
        if let c = parsed[site] { return c }
        var c = Configuration()
        if let published = try await store.latestConfig(site: site) {
            switch ConfigurationParser.parse(published.body, file: "site \(site) configuration version \(published.version)") {
            case .success(let configuration):
                c = configuration
                notes.append("Site \(site): names, targets and time zone from its published configuration version \(published.version).")
            case .failure(let errors):
                notes.append("Site \(site): its published configuration version \(published.version) has errors (\(errors.errors.count)); built-in defaults used for names and targets.")
            }
        } else {
            notes.append("Site \(site): no configuration published; built-in defaults used for names, targets and time zone.")
        }
        parsed[site] = c
        return c
    }
}

extension ReportRow {
    /// One site's business day as `/v1/admin/reports` answers it: the overall figures and the
    /// cases of the kiosk's own `Report` for that site and day (the same `ReportBuilder` the
    /// report pages and `kioskctl report` use), under the endpoint's field names.
    init(site: String, day: String, report r: Report) {
        let o = r.overall
        self.init(
            site: site, day: day, tickets: Int64(o.issued), called: Int64(o.called), served: Int64(o.served),
            noShows: Int64(o.noShows), ratings: Int64(o.ratings), csatPercent: o.csat.map { $0 * 100 },
            satisfactionIndex: o.satisfactionIndex, casesOpened: Int64(r.cases.opened),
            casesAnswered: Int64(r.cases.answered), casesOverdue: Int64(r.cases.overdue),
            waitAverageSeconds: o.wait.average, waitP90Seconds: o.wait.p90, withinTarget: o.withinTarget,
            promiseKept: o.promiseKept, noShowRate: o.noShowRate, responseRate: o.responseRate)
    }
}

extension CentralStore {
    /// `GET /v1/admin/reports`: per site and business day (of one site and/or one day when
    /// given), the figures of that site's report page for that day. Each kiosk of the site is
    /// its own source under the site's configuration, so every service's `target-wait` and
    /// `reply-deadline` count, exactly as on the page. The stored day folds (ReportDays.swift)
    /// are read in (site, day, kiosk) order and one site-day is merged at a time.
    /// Also says where the figures were read (`ReportReplica`).
    public func reports(site: String?, day: String?, now: Date = Date()) async throws -> (rows: [ReportRow], source: ReportReader.Source) {
        var configurations = SiteConfigurations(store: self)
        let reader = try await prepareReportDays(site: site, from: day, to: day, configurations: &configurations)
        var siteConfiguration: [String: Configuration] = [:]
        for kiosk in try await reportKiosks(site: site, from: day ?? "0000-00-00", to: day ?? "9999-99-99", on: reader)
        where siteConfiguration[kiosk.site] == nil {
            siteConfiguration[kiosk.site] = try await configurations.configuration(kiosk.site)
        }
        // The case figures come from the centre's own (authoritative) case states.
        let states = try await caseStatesByKiosk(sites: site.map { [$0] }, from: day, to: day, on: reader)
        var out: [ReportRow] = []
        var current: (site: String, day: String, fold: ReportFold)?
        func flush() {
            guard let (s, d, fold) = current else { return }
            let source = ReportFold.Source(configuration: siteConfiguration[s] ?? Configuration())
            out.append(ReportRow(site: s, day: d, report: fold.report(sources: [source], now: now)))
        }
        var unreadable = 0
        let undecodable = try await forEachReportDay(site: site, from: day, to: day, bySite: true, on: reader) { k, s, dayFold, bad in
            unreadable += bad
            if current?.site != s || current?.day != dayFold.day {
                flush()
                current = (s, dayFold.day, ReportFold())
            }
            current!.fold.add(dayFold, configuration: siteConfiguration[s] ?? Configuration(), now: now, caseState: { states[k]?[$0] })
        }
        flush()
        if unreadable > 0 || undecodable > 0 {
            logger.warning(
                "stored events or report days that could not be read were left out of the reports",
                metadata: ["events": "\(unreadable)", "days": "\(undecodable)", "site": "\(site ?? "all")", "day": "\(day ?? "all")"])
        }
        return (out, reader.source)
    }
}
