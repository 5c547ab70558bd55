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
    /// its own `ReportSource` under the site's configuration, so every service's `target-wait`
    /// and `reply-deadline` count, exactly as on the page. The events are read in (site, day,
    /// kiosk, seq) order and one site-day is held in memory at a time.
    public func reports(site: String?, day: String?, now: Date = Date()) async throws -> [ReportRow] {
        let rows = try await client.query(
            """
            SELECT site_id, payload->>'day', kiosk_id, payload::text FROM events
            WHERE (\(site)::text IS NULL OR site_id = \(site))
              AND (\(day)::text IS NULL OR payload->>'day' = \(day))
              AND payload->>'day' IS NOT NULL
            ORDER BY site_id, payload->>'day', kiosk_id, seq
            """, logger: logger)
        let decoder = KioskEvent.makeDecoder()
        var configurations = SiteConfigurations(store: self)
        var out: [ReportRow] = []
        var current: (site: String, day: String)?
        var kiosks: [(kiosk: String, events: [KioskEvent])] = []
        var unreadable = 0
        func flush() async throws {
            guard let (s, d) = current, !kiosks.isEmpty else { return }
            let configuration = try await configurations.configuration(s)
            // The case figures come from the centre's own (authoritative) case states.
            let cases = Dictionary(grouping: try await caseStates(sites: [s], from: d, to: d), by: { $0.kiosk ?? "" })
            let sources = kiosks.map { ReportSource(events: $0.events, configuration: configuration, cases: cases[$0.kiosk] ?? []) }
            out.append(ReportRow(site: s, day: d, report: ReportBuilder.build(sources: sources, now: now)))
        }
        for try await (s, d, k, payload) in rows.decode((String, String, String, String).self) {
            if current?.site != s || current?.day != d {
                try await flush()
                current = (s, d)
                kiosks = []
            }
            guard let e = try? decoder.decode(KioskEvent.self, from: Data(payload.utf8)) else {
                unreadable += 1
                continue
            }
            if kiosks.last?.kiosk != k { kiosks.append((k, [])) }
            kiosks[kiosks.count - 1].events.append(e)
        }
        try await flush()
        if unreadable > 0 {
            logger.warning(
                "stored events that are not kiosk events were left out of the reports",
                metadata: ["count": "\(unreadable)", "site": "\(site ?? "all")", "day": "\(day ?? "all")"])
        }
        return out
    }
}
