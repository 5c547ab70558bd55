import Foundation
import Hummingbird
import KioskCore

/// The case figures of domain.md over a set of case states.
///
/// INTEGRATION POINT (issue 10): these definitions belong to KioskCore's `CaseFigures`
/// (branch i10-core), the one function `kioskctl report`, the report pages and this page share.
/// When it is merged, `DeskCaseFigures(cases:now:)` is replaced by a call to it and this type
/// goes; the page below only reads the fields.
struct DeskCaseFigures {
    struct Row: Hashable { var month: String; var service: String; var key: String }
    struct Handler { var name: String; var assigned = 0; var resolved = 0; var open = 0 }

    var opened = 0
    var replyInTime: Double?
    var resolvedInTime: Double?
    var reopened: Double?
    var satisfaction: Double?
    var medianReply: TimeInterval?
    var medianResolve: TimeInterval?
    var overdue = 0
    var byReason: [(Row, Int)] = []
    var byCause: [(Row, Int)] = []
    var handlers: [Handler] = []

    init(cases: [CaseState], share: Double, now: Date) {
        opened = cases.count
        func ratio(_ n: Int, _ of: Int) -> Double? { of == 0 ? nil : Double(n) / Double(of) }
        func median(_ xs: [TimeInterval]) -> TimeInterval? {
            let s = xs.sorted()
            guard !s.isEmpty else { return nil }
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        replyInTime = ratio(cases.filter { c in c.firstReplyAt.map { $0 <= c.replyBy } ?? false }.count, opened)
        resolvedInTime = ratio(
            cases.filter { c in c.resolvedAt.flatMap { r in c.resolveBy.map { r <= $0 } } ?? false }.count, opened)
        let closed = cases.filter { $0.status == .closed }
        reopened = ratio(closed.filter { $0.reopenCount > 0 }.count, closed.count)
        satisfaction = ratio(closed.filter { $0.satisfied == true }.count, closed.count)
        medianReply = median(cases.compactMap { c in c.firstReplyAt.map { $0.timeIntervalSince(c.openedAt) } })
        medianResolve = median(cases.compactMap { c in c.resolvedAt.map { $0.timeIntervalSince(c.openedAt) } })
        overdue = cases.filter { DeskDeadline($0, share: share, now: now)?.mark == .overdue }.count
        var reasons: [Row: Int] = [:], causes: [Row: Int] = [:]
        var handlers: [String: Handler] = [:]
        for c in cases {
            let month = String(c.day.prefix(7))
            reasons[Row(month: month, service: c.service ?? "", key: c.reason ?? ""), default: 0] += 1
            if let cause = c.rootCause { causes[Row(month: month, service: c.service ?? "", key: cause), default: 0] += 1 }
            if let a = c.assignee {
                var h = handlers[a] ?? Handler(name: a)
                h.assigned += 1
                if c.isOpen { h.open += 1 } else { h.resolved += 1 }
                handlers[a] = h
            }
        }
        func sorted(_ d: [Row: Int]) -> [(Row, Int)] {
            d.sorted { ($0.key.month, $0.key.service, -$0.value, $0.key.key) < ($1.key.month, $1.key.service, -$1.value, $1.key.key) }
                .map { ($0.key, $0.value) }
        }
        byReason = sorted(reasons)
        byCause = sorted(causes)
        self.handlers = handlers.values.sorted { $0.name < $1.name }
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
        let f = DeskCaseFigures(cases: cases, share: store.escalationShare, now: Date())
        var names = DeskNames(settings: desk, text: t, store: store)
        func percent(_ x: Double?) -> String { x.map { String(format: "%.0f%%", $0 * 100) } ?? "—" }
        func figure(_ key: String, _ id: String, _ value: String, raw: String) -> String {
            "<div class=\"figure\" data-metric=\"\(id)\" data-value=\"\(raw)\"><b>\(DeskPage.escape(value))</b>\(DeskPage.escape(t(key)))</div>"
        }
        func raw(_ x: Double?) -> String { x.map { String($0) } ?? "null" }
        var cards = figure("figures.replyInTime", "replyInTime", percent(f.replyInTime), raw: raw(f.replyInTime))
        cards += figure("figures.resolvedInTime", "resolvedInTime", percent(f.resolvedInTime), raw: raw(f.resolvedInTime))
        cards += figure("figures.reopened", "reopened", percent(f.reopened), raw: raw(f.reopened))
        cards += figure("figures.satisfaction", "satisfaction", percent(f.satisfaction), raw: raw(f.satisfaction))
        cards += figure("figures.medianReply", "medianReply", f.medianReply.map { t.duration($0) } ?? "—", raw: raw(f.medianReply))
        cards += figure("figures.medianResolve", "medianResolve", f.medianResolve.map { t.duration($0) } ?? "—", raw: raw(f.medianResolve))
        cards += figure("figures.overdue", "overdue", String(f.overdue), raw: String(f.overdue))
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
            <p class="muted">\(DeskPage.escape(t("figures.note", ["count": String(f.opened)])))</p>
            <div class="figures">\(cards)</div>
            \(try await table(f.byReason, "figures.byReason", key: "col.reason", id: "by-reason"))
            \(try await table(f.byCause, "figures.byCause", key: "case.rootCause", id: "by-cause"))
            <h2>\(DeskPage.escape(t("figures.byHandler")))</h2><table id="by-handler"><thead><tr><th>\(t("figures.handler"))</th>\
            <th>\(t("figures.assigned"))</th><th>\(t("figures.resolved"))</th><th>\(t("figures.open"))</th></tr></thead><tbody>\(handlers)</tbody></table>
            <p class="muted">\(DeskPage.escape(t("figures.integration")))</p>
            """
        return d.respond(d.page(t("figures.title"), body))
    }
}
