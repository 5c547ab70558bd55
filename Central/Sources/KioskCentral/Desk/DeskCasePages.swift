import Foundation
import Hummingbird
import KioskCore
import KioskProtocol

/// Where a case stands against its deadlines at `now`: the nearest unmet one, and whether it
/// has passed (overdue) or most of its time has (at risk).
struct DeskDeadline {
    enum Mark: String { case overdue, risk, ok }
    var kind: String  // "reply" or "resolve"
    var at: Date
    var mark: Mark

    /// Share of a deadline's time after which a case is at risk (the escalation's default).
    static let riskShare = 0.75

    init?(_ c: CaseState, now: Date) {
        guard c.isOpen else { return nil }
        var candidates: [(String, Date)] = []
        if c.firstReplyAt == nil { candidates.append(("reply", c.replyBy)) }
        if let r = c.resolveBy { candidates.append(("resolve", r)) }
        guard let nearest = candidates.min(by: { $0.1 < $1.1 }) else { return nil }
        kind = nearest.0
        at = nearest.1
        let risk = c.openedAt.addingTimeInterval(at.timeIntervalSince(c.openedAt) * Self.riskShare)
        mark = now >= at ? .overdue : now >= risk ? .risk : .ok
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
            guard session.user.covers(site: site), let detail = try await store.deskCase(site: site, ref: ref) else {
                throw APIError(.notFound, "no-such-case", "there is no case \(ref) at your sites", hint: "check the reference and the site")
            }
            return jsonResponse(detail.state)
        }
        addDeskFigures(to: router)
    }

    // MARK: Lists

    func deskList(_ d: DeskRequest, mine: Bool) async throws -> Response {
        let t = d.text, user = d.session!.user
        let now = Date()
        var notice: String?
        let all = try await store.deskCases(sites: user.siteScope)
        if let raw = d.request.uri.queryParameters["ref"].map(String.init), !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            let ref = Self.normalisedReference(raw)
            let found = all.filter { $0.ref == ref }
            if found.count == 1, let c = found.first {
                return d.redirect("/desk/cases/\(DeskPage.component(c.site ?? ""))/\(DeskPage.component(c.ref))")
            }
            if found.isEmpty { notice = t("search.none", ["ref": ref]) }
        }
        var cases = all.filter { $0.status != .closed }
        if mine { cases = cases.filter { $0.assignee == user.name } }
        cases.sort { a, b in
            let x = DeskDeadline(a, now: now)?.at ?? .distantFuture, y = DeskDeadline(b, now: now)?.at ?? .distantFuture
            return x != y ? x < y : a.openedAt < b.openedAt
        }
        var names = DeskNames(settings: desk, text: t, store: store)
        var rows = ""
        for c in cases {
            let deadline = DeskDeadline(c, now: now)
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

    /// "r20261203-001", "20261203001" (as typed on the lobby keypad) → "R20261203-001".
    static func normalisedReference(_ raw: String) -> String {
        let s = raw.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = s.filter(\.isNumber)
        if digits.count == 11, s.allSatisfy({ $0.isNumber || $0 == "R" || $0 == "-" }) {
            return "R" + digits.prefix(8) + "-" + digits.suffix(3)
        }
        return s
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
