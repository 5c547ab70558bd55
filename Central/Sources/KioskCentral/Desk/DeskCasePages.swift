import Foundation
import Hummingbird
import KioskCore
import KioskProtocol

/// Where a case stands against its deadlines at `now`: the nearest unmet one and its urgency,
/// by `CaseEscalations` (the same thresholds the escalation task uses).
struct DeskDeadline {
    enum Mark: String { case overdue, risk, ok }
    var kind: String  // "reply" or "resolve"
    var at: Date
    var mark: Mark

    init?(_ c: CaseState, share: Double, now: Date) {
        guard let nearest = CaseEscalations.nearestDeadline(c) else { return nil }
        kind = nearest.kind
        at = nearest.at
        switch CaseEscalations.urgency(c, share: share, now: now) {
        case .overdue: mark = .overdue
        case .atRisk: mark = .risk
        case .onTime: mark = .ok
        }
    }
}

extension CentralRoutes {
    func addDeskCasePages(to router: Router<BasicRequestContext>) {
        router.get("/desk") { request, _ in
            try await desk(request) { d, _ in try await deskList(d, mine: false) }
        }
        router.get("/desk/mine") { request, _ in
            try await desk(request) { d, _ in try await deskList(d, mine: true) }
        }
        router.get("/desk/cases/:site/:ref") { request, context in
            try await desk(request) { d, _ in
                try await deskCasePage(d, site: context.parameters.get("site") ?? "", ref: context.parameters.get("ref") ?? "")
            }
        }
        router.post("/desk/cases/:site/:ref/:action") { request, context in
            try await desk(request, post: true) { d, form in
                try await deskAction(
                    d, form: form, site: context.parameters.get("site") ?? "", ref: context.parameters.get("ref") ?? "",
                    action: context.parameters.get("action") ?? "")
            }
        }
        // The same scope as the pages, as JSON (another site's case is 404 here too).
        router.get("/desk/api/cases/:site/:ref") { request, context in
            guard let token = request.cookies[DeskCookie.session]?.value,
                let session = try await store.deskSession(token: token, limits: desk.limits)
            else {
                throw APIError(.unauthorized, "no-session", "sign in at /desk/login first", hint: "the desk's JSON uses the desk's session cookie")
            }
            let site = context.parameters.get("site") ?? "", ref = context.parameters.get("ref") ?? ""
            guard session.user.covers(site: site), let state = try await store.findCase(site: site, ref: ref) else {
                throw APIError(.notFound, "no-such-case", "there is no case \(ref) at your sites", hint: "check the reference and the site")
            }
            return jsonResponse(state)
        }
        addDeskFigures(to: router)
    }

    // MARK: Lists

    func deskList(_ d: DeskRequest, mine: Bool) async throws -> Response {
        let t = d.text, user = d.session!.user
        let now = Date()
        var notice: String?
        if let raw = d.request.uri.queryParameters["ref"].map(String.init), !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            let found = try await store.findCases(ref: raw, sites: user.siteScope)
            if found.count == 1, let c = found.first {
                return d.redirect("/desk/cases/\(DeskPage.component(c.site ?? ""))/\(DeskPage.component(c.ref))")
            }
            if found.isEmpty { notice = t("search.none", ["ref": CentralStore.normalisedCaseRef(raw) ?? raw]) }
        }
        // Nearest deadline first (the store's order); resolved cases waiting for a verdict last.
        let cases = try await store.deskOpenCases(sites: user.siteScope, assignee: mine ? user.name : nil)
        var names = DeskNames(settings: desk, text: t, store: store)
        var rows = ""
        for c in cases {
            let deadline = DeskDeadline(c, share: store.escalationShare, now: now)
            let site = c.site ?? ""
            let href = "/desk/cases/\(DeskPage.component(site))/\(DeskPage.component(c.ref))"
            let remaining = deadline.map { left(t, $0.at, now: now) } ?? t("deadline.none")
            let service = try await names.service(c.service, site: site)
            var due = ""
            if let deadline { due = t("deadline.\(deadline.kind)") + " " + (try await names.time(deadline.at, site: site)) }
            let mark = deadline.map { "<span class=\"tag \($0.mark.rawValue)\">\(DeskPage.escape(t("mark.\($0.mark.rawValue)")))</span>" } ?? ""
            rows += """
                <tr class="case \(deadline?.mark.rawValue ?? "none")" data-ref="\(DeskPage.escape(c.ref))" data-site="\(DeskPage.escape(site))">\
                <td data-label="\(DeskPage.escape(t("col.ref")))"><a href="\(href)">\(DeskPage.escape(c.ref))</a></td>\
                <td data-label="\(DeskPage.escape(t("col.site")))">\(DeskPage.escape(site))</td>\
                <td data-label="\(DeskPage.escape(t("col.service")))">\(DeskPage.escape(service))</td>\
                <td data-label="\(DeskPage.escape(t("col.reason")))">\(DeskPage.escape(names.catalog(c.reason)))</td>\
                <td data-label="\(DeskPage.escape(t("col.status")))">\(DeskPage.escape(t("status.\(c.status.rawValue)")))</td>\
                <td data-label="\(DeskPage.escape(t("col.assignee")))">\(DeskPage.escape(c.assignee ?? t("unassigned")))</td>\
                <td data-label="\(DeskPage.escape(t("col.deadline")))">\(DeskPage.escape(due))</td>\
                <td data-label="\(DeskPage.escape(t("col.left")))">\(mark) <span \(deadline.map { "data-deadline=\"\(WireTime.string($0.at))\"" } ?? "")>\(DeskPage.escape(remaining))</span></td></tr>
                """
        }
        let title = mine ? t("list.mine") : t("list.title")
        let search = """
            <form class="search" method="get" action="/desk"><label>\(DeskPage.escape(t("search.label"))) \
            <input name="ref" id="ref" placeholder="\(DeskPage.escape(t("search.placeholder")))" inputmode="text"></label>\
            <button type="submit" id="find">\(DeskPage.escape(t("search.submit")))</button></form>
            """
        let table = cases.isEmpty
            ? "<p class=\"muted\" id=\"empty\">\(DeskPage.escape(t("list.empty")))</p>"
            : """
                <p class="muted">\(DeskPage.escape(t("list.sorted")))</p>
                <table class="cases" id="cases"><thead><tr><th>\(t("col.ref"))</th><th>\(t("col.site"))</th><th>\(t("col.service"))</th>\
                <th>\(t("col.reason"))</th><th>\(t("col.status"))</th><th>\(t("col.assignee"))</th><th>\(t("col.deadline"))</th>\
                <th>\(t("col.left"))</th></tr></thead><tbody>\(rows)</tbody></table>
                """
        return d.respond(d.page(title, "<h1>\(DeskPage.escape(title))</h1>\(search)\(table)", notice: notice, error: notice != nil))
    }

    func left(_ t: DeskText, _ at: Date, now: Date) -> String {
        let s = at.timeIntervalSince(now)
        return t(s < 0 ? "left.overdue" : "left.remaining", ["t": t.duration(s)])
    }
}

/// Names for people: services from the site's published configuration, reasons and root causes
/// from the kiosk's catalogs, times in the site's time zone.
struct DeskNames {
    let settings: DeskSettings
    let text: DeskText
    var configurations: SiteConfigurations

    init(settings: DeskSettings, text: DeskText, store: CentralStore) {
        self.settings = settings
        self.text = text
        configurations = SiteConfigurations(store: store)
    }

    mutating func service(_ id: String?, site: String) async throws -> String {
        guard let id else { return "—" }
        let c = try await configurations.configuration(site)
        return c.services.first { $0.id == id }?.name(text.language.catalogLanguage) ?? id
    }

    /// A `reason.*` or `cause.*` key by the catalogs, else the key itself.
    func catalog(_ key: String?) -> String {
        guard let key else { return "—" }
        return settings.catalogs?[text.language.catalogLanguage].entries[key] ?? key
    }

    mutating func time(_ date: Date, site: String) async throws -> String {
        let c = try await configurations.configuration(site)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = LocalCalendar(c).timeZone
        f.dateFormat = "MM-dd HH:mm"
        return f.string(from: date)
    }
}
