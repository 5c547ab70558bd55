import Foundation
import Hummingbird
import KioskCore

/// The desk's view of the case figures: every number is KioskCore's `CaseFigures` / `CaseTally`
/// (the one definition `kioskctl report` and the report pages use), arranged for the page's
/// tables: reasons and root causes per month and service, and one row per handler.
struct DeskCaseFigures {
    struct Row: Hashable { var month: String; var service: String; var key: String }
    struct Handler { var name: String; var assigned = 0; var resolved = 0; var open = 0 }

    /// The figures over all the cases (the cards at the top of the page).
    let all: CaseTally
    var byReason: [(Row, Int)] = []
    var byCause: [(Row, Int)] = []
    var handlers: [Handler] = []

    init(cases: [CaseState], now: Date) {
        let figures = CaseFigures(cases: cases, now: now)
        all = figures.all
        var reasons: [(Row, Int)] = [], causes: [(Row, Int)] = []
        let groups = Dictionary(grouping: cases) { Row(month: String($0.day.prefix(7)), service: $0.service ?? "", key: "") }
        for (group, members) in groups {
            let tally = CaseTally(id: group.month + "/" + group.service, cases: members, now: now)
            for (key, n) in tally.reasons { reasons.append((Row(month: group.month, service: group.service, key: key), n)) }
            for (key, n) in tally.rootCauses { causes.append((Row(month: group.month, service: group.service, key: key), n)) }
        }
        func sorted(_ rows: [(Row, Int)]) -> [(Row, Int)] {
            rows.sorted { ($0.0.month, $0.0.service, -$0.1, $0.0.key) < ($1.0.month, $1.0.service, -$1.1, $1.0.key) }
        }
        byReason = sorted(reasons)
        byCause = sorted(causes)
        handlers = figures.byHandler.map { Handler(name: $0.id, assigned: $0.opened, resolved: $0.resolved, open: $0.open) }
    }
}

extension CentralRoutes {
    func addDeskFigures(to router: Router<BasicRequestContext>) {
        router.get("/desk/figures") { request, _ in
            try await desk(request) { d, _ in try await deskFigures(d) }
        }
    }

    func deskFigures(_ d: DeskRequest) async throws -> Response {
        let t = d.text, user = d.session!.user
        let cases = try await store.deskCases(sites: user.siteScope)
        let f = DeskCaseFigures(cases: cases, now: Date())
        var names = DeskNames(settings: desk, text: t, store: store)
        func percent(_ x: Double?) -> String { x.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }
        func figure(_ key: String, _ id: String, _ value: String, raw: String) -> String {
            "<div class=\"figure\" data-metric=\"\(id)\" data-value=\"\(raw)\"><b>\(DeskPage.escape(value))</b>\(DeskPage.escape(t(key)))</div>"
        }
        func raw(_ x: Double?) -> String { x.map { String($0) } ?? "null" }
        var cards = figure("figures.replyInTime", "replyInTime", percent(f.all.repliedInTimeRate), raw: raw(f.all.repliedInTimeRate))
        cards += figure("figures.resolvedInTime", "resolvedInTime", percent(f.all.resolvedInTimeRate), raw: raw(f.all.resolvedInTimeRate))
        cards += figure("figures.callbackInTime", "callbackInTime", percent(f.all.callbackReachedInTimeRate), raw: raw(f.all.callbackReachedInTimeRate))
        cards += figure("figures.reopened", "reopened", percent(f.all.reopenedRate), raw: raw(f.all.reopenedRate))
        cards += figure("figures.satisfaction", "satisfaction", percent(f.all.satisfactionRate), raw: raw(f.all.satisfactionRate))
        cards += figure("figures.medianReply", "medianReply", f.all.medianSecondsToFirstReply.map { t.duration($0) } ?? "—", raw: raw(f.all.medianSecondsToFirstReply))
        cards += figure("figures.medianResolve", "medianResolve", f.all.medianSecondsToResolution.map { t.duration($0) } ?? "—", raw: raw(f.all.medianSecondsToResolution))
        cards += figure("figures.overdue", "overdue", String(f.all.overdue), raw: String(f.all.overdue))
        // Service names: the first site in scope with a published configuration names them.
        let site = cases.first?.site ?? user.sites.first ?? ""
        func table(_ rows: [(DeskCaseFigures.Row, Int)], _ heading: String, key: String, id: String) async throws -> String {
            var body = ""
            for (row, n) in rows {
                body += "<tr><td>\(DeskPage.escape(row.month))</td><td>\(DeskPage.escape(try await names.service(row.service, site: site)))</td>"
                    + "<td>\(DeskPage.escape(names.catalog(row.key)))</td><td>\(n)</td></tr>"
            }
            if rows.isEmpty { body = "<tr><td colspan=\"4\" class=\"muted\">\(DeskPage.escape(t("figures.none")))</td></tr>" }
            return "<h2>\(DeskPage.escape(t(heading)))</h2><table id=\"\(id)\"><thead><tr><th>\(t("figures.month"))</th><th>\(t("col.service"))</th>"
                + "<th>\(t(key))</th><th>\(t("figures.count"))</th></tr></thead><tbody>\(body)</tbody></table>"
        }
        var handlers = ""
        for h in f.handlers {
            handlers += "<tr><td>\(DeskPage.escape(h.name))</td><td>\(h.assigned)</td><td>\(h.resolved)</td><td>\(h.open)</td></tr>"
        }
        if f.handlers.isEmpty { handlers = "<tr><td colspan=\"4\" class=\"muted\">\(DeskPage.escape(t("figures.none")))</td></tr>" }
        let body = """
            <h1>\(DeskPage.escape(t("figures.title")))</h1>
            <p class="muted">\(DeskPage.escape(t("figures.note", ["count": String(f.all.opened)])))</p>
            <div class="figures">\(cards)</div>
            \(try await table(f.byReason, "figures.byReason", key: "col.reason", id: "by-reason"))
            \(try await table(f.byCause, "figures.byCause", key: "case.rootCause", id: "by-cause"))
            <h2>\(DeskPage.escape(t("figures.byHandler")))</h2><table id="by-handler"><thead><tr><th>\(t("figures.handler"))</th>\
            <th>\(t("figures.assigned"))</th><th>\(t("figures.resolved"))</th><th>\(t("figures.open"))</th></tr></thead><tbody>\(handlers)</tbody></table>
            """
        return d.respond(d.page(t("figures.title"), body))
    }
}
