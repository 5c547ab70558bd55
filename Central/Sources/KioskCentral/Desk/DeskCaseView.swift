import Foundation
import Hummingbird
import KioskCore
import KioskProtocol

/// The case page (the visit, the facts, the whole timeline, the actions as forms) and the
/// actions it posts. Every action is a case event under the person's account name (`staff`)
/// at the station "desk", applied once per form (its request id).
extension CentralRoutes {
    static let deskActions = ["assign", "contact", "callback", "resolve", "close", "reopen"]

    /// `revealed`: the full call-back number, opened (and its view recorded) by `show-contact`.
    func deskCasePage(_ d: DeskRequest, site: String, ref: String, revealed: String? = nil) async throws -> Response {
        let t = d.text, user = d.session!.user
        // Another site's case is "not found", never "forbidden": its existence is not told.
        guard user.covers(site: site), let detail = try await store.caseDetail(site: site, ref: ref) else {
            throw DeskRefusal(status: .notFound, title: t("notfound.title"), message: t("notfound.body"))
        }
        let c = detail.state, now = Date()
        var names = DeskNames(settings: desk, text: t, store: store)
        let q = d.request.uri.queryParameters
        let notice = q["done"] != nil ? t("act.done") : q["dup"] != nil ? t("act.duplicate") : nil
        func fact(_ key: String, _ value: String, id: String? = nil) -> String {
            "<dt>\(DeskPage.escape(t(key)))</dt><dd\(id.map { " id=\"\($0)\"" } ?? "")>\(DeskPage.escape(value))</dd>"
        }
        func when(_ date: Date?) async throws -> String {
            guard let date else { return "—" }
            return try await names.time(date, site: site)
        }
        // The visit behind the case (its ticket's events at the kiosk, when they have arrived).
        let v = detail.visit
        var visit = fact("case.ticket", c.ticket ?? "—") + fact("case.service", try await names.service(v?.service ?? c.service, site: site))
        visit += fact("case.counter", (v?.counter ?? c.counter).map(String.init) ?? "—") + fact("case.staff", v?.staff ?? c.servedBy ?? "—")
        visit += fact("case.wait", v?.waitSeconds.map { t.duration($0) } ?? "—", id: "wait")
        let rating = v?.rating ?? c.rating
        visit += fact("case.rating", rating.map { t("rating.\($0)") } ?? t("rating.none"), id: "rating")
        visit += fact("case.reason", names.catalog(v?.reason ?? c.reason))
        visit += fact("case.site", site) + fact("case.kiosk", c.kiosk ?? "—")
        visit += try await contactFact(d, site: site, ref: ref, revealed: revealed)
        // Where it stands.
        let deadline = DeskDeadline(c, share: store.escalationShare, now: now)
        var facts = fact("col.status", t("status.\(c.status.rawValue)"), id: "status")
        facts += fact("case.severity", t("severity.\(c.severity.rawValue)"))
        facts += fact("case.assignee", c.assignee ?? t("unassigned"), id: "assignee")
        facts += fact("case.opened", try await when(c.openedAt))
        facts += fact("case.replyBy", try await when(c.replyBy)) + fact("case.resolveBy", try await when(c.resolveBy))
        let firstReply = try await when(c.firstReplyAt) + (c.firstReplyChannel.map { " (" + t("channel.\($0)") + ")" } ?? "")
        facts += fact("case.firstReply", firstReply, id: "first-reply")
        facts += fact("case.resolved", try await when(c.resolvedAt)) + fact("case.rootCause", names.catalog(c.rootCause), id: "root-cause")
        facts += fact("case.closed", try await when(c.closedAt))
        facts += fact("case.verdict", c.satisfied.map { t($0 ? "act.satisfied" : "act.unsatisfied") } ?? "—", id: "verdict")
        facts += fact("case.reopens", String(c.reopenCount))
        if !c.escalations.isEmpty { facts += fact("case.escalations", c.escalations.map { t("level.\($0)") }.joined(separator: ", ")) }
        var countdown = ""
        if let deadline {
            countdown = "<p><span class=\"tag \(deadline.mark.rawValue)\">\(DeskPage.escape(t("mark.\(deadline.mark.rawValue)")))</span> "
                + "\(DeskPage.escape(t("deadline.\(deadline.kind)"))) \(DeskPage.escape(try await when(deadline.at))) · "
                + "<span id=\"countdown\" data-deadline=\"\(WireTime.string(deadline.at))\">\(DeskPage.escape(left(t, deadline.at, now: now)))</span></p>"
        }
        // The timeline, oldest first.
        var timeline = ""
        for entry in detail.timeline {
            let e = entry.event
            var what: String
            switch entry.type {
            case EventType.caseClosed.rawValue: what = t(e?.satisfied == false ? "event.case.closed.no" : "event.case.closed.yes")
            default:
                what = t("event.\(entry.type)", [
                    "assignee": e?.assignee ?? "", "channel": e?.channel.map { t("channel.\($0.rawValue)") } ?? "",
                    "level": e?.level.map { t("level.\($0)") } ?? "", "outcome": e?.detail ?? "",
                ])
            }
            if let cause = e?.rootCause { what += " · " + names.catalog(cause) }
            if let outcome = e?.callback { what += " · " + t("callback.\(outcome.rawValue)") }
            var meta = try await when(entry.time)
            if let who = entry.actor { meta += " · " + t("timeline.who", ["who": who]) }
            if let place = entry.station { meta += " · " + t("timeline.where", ["where": place]) }
            let note = e?.note.map { "<div>\(DeskPage.escape($0))</div>" } ?? ""
            timeline += "<li data-type=\"\(DeskPage.escape(entry.type))\"><b>\(DeskPage.escape(what))</b> <span class=\"muted\">\(DeskPage.escape(meta))</span>\(note)</li>"
        }
        let actions = try await deskActionForms(d, c, site: site)
        let body = """
            <h1>\(DeskPage.escape(t("case.title", ["ref": c.ref])))</h1>\(countdown)
            <div class="card"><dl class="facts">\(facts)</dl></div>
            <h2>\(DeskPage.escape(t("case.visit")))</h2><div class="card"><dl class="facts">\(visit)</dl></div>
            <h2>\(DeskPage.escape(t("actions")))</h2><div class="card" id="actions">\(actions)</div>
            <h2>\(DeskPage.escape(t("timeline")))</h2><div class="card"><ol class="timeline" id="timeline">\(timeline)</ol></div>
            """
        return d.respond(d.page(t("case.title", ["ref": c.ref]), body, notice: notice))
    }

    /// The forms that apply to the case now; each has the CSRF token and a fresh request id.
    func deskActionForms(_ d: DeskRequest, _ c: CaseState, site: String) async throws -> String {
        let t = d.text, session = d.session!
        let base = "/desk/cases/\(DeskPage.component(site))/\(DeskPage.component(c.ref))/"
        func form(_ action: String, _ fields: String, _ button: String, name: String? = nil, value: String? = nil) -> String {
            let hidden = DeskPage.hidden("csrf", session.csrfToken) + DeskPage.hidden("request", UUID().uuidString)
            let named = name.map { " name=\"\($0)\" value=\"\(DeskPage.escape(value ?? ""))\"" } ?? ""
            return "<form class=\"act\" method=\"post\" action=\"\(base)\(action)\" id=\"form-\(action)\(value.map { "-" + $0 } ?? "")\">\(hidden)\(fields)<button type=\"submit\"\(named)>\(DeskPage.escape(button))</button></form>"
        }
        func note(_ required: Bool) -> String {
            "<label>\(DeskPage.escape(t("act.note")))<textarea name=\"note\"\(required ? " required" : "")></textarea></label>"
        }
        if c.status == .closed {
            return "<p class=\"muted\">\(DeskPage.escape(t("act.none")))</p>" + form("reopen", note(true), t("act.reopen"))
        }
        var out = ""
        var names = DeskNames(settings: desk, text: t, store: store)
        // The call-back (专人电话回访): reached, not reached, or call back later; every case.
        let outcomes = CallbackOutcome.allCases.map { "<option value=\"\($0.rawValue)\">\(DeskPage.escape(t("callback.\($0.rawValue)")))</option>" }.joined()
        out += "<h3>\(DeskPage.escape(t("act.callback")))</h3>"
        out += form("callback", "<label>\(DeskPage.escape(t("act.callback.outcome")))<select name=\"outcome\">\(outcomes)</select></label>\(note(false))", t("act.callback"))
        if c.isOpen {
            if c.assignee != session.user.name {
                out += form("assign", DeskPage.hidden("assignee", session.user.name), t("act.assign.me"))
            }
            let people = try await store.staffUsers(covering: site).filter { $0.name != c.assignee }
            if !people.isEmpty {
                let options = people.map { "<option value=\"\(DeskPage.escape($0.name))\">\(DeskPage.escape($0.shownName)) (\(DeskPage.escape($0.name)))</option>" }.joined()
                out += form("assign", "<label>\(DeskPage.escape(t("act.assign.to")))<select name=\"assignee\">\(options)</select></label>", t("act.assign"))
            }
            let channels = CaseChannel.allCases.map { "<option value=\"\($0.rawValue)\">\(DeskPage.escape(t("channel.\($0.rawValue)")))</option>" }.joined()
            out += "<h3>\(DeskPage.escape(t("act.contact")))</h3>"
            out += form("contact", "<label>\(DeskPage.escape(t("act.channel")))<select name=\"channel\">\(channels)</select></label>\(note(true))", t("act.contact"))
            let causes = try await rootCauses(site: site, names: &names)
                .map { "<option value=\"\(DeskPage.escape($0.key))\">\(DeskPage.escape($0.name))</option>" }.joined()
            out += "<h3>\(DeskPage.escape(t("act.resolve")))</h3>"
            out += form("resolve", "<label>\(DeskPage.escape(t("act.rootCause")))<select name=\"rootCause\">\(causes)</select></label>\(note(true))", t("act.resolve"))
        }
        if c.status == .resolved {
            out += "<h3>\(DeskPage.escape(t("act.close")))</h3>"
            out += form("close", note(false), t("act.satisfied"), name: "verdict", value: "satisfied")
            out += form("close", note(false), t("act.unsatisfied"), name: "verdict", value: "unsatisfied")
            out += form("reopen", note(true), t("act.reopen"))
        }
        return out
    }

    /// The site's root causes (its configuration's `rootCauses`, else the defaults) with names.
    func rootCauses(site: String, names: inout DeskNames) async throws -> [(key: String, name: String)] {
        let c = try await names.configurations.configuration(site)
        return c.rootCauses.map { ($0, names.catalog($0)) }
    }

    /// The call-back number: masked for everybody; a handler or manager whose sites include the
    /// case's (an admin's "every site" does not) may open it, and each opening is recorded.
    func contactFact(_ d: DeskRequest, site: String, ref: String, revealed: String?) async throws -> String {
        let t = d.text, session = d.session!
        guard let record = try await store.contactRecord(site: site, ref: ref) else {
            return "<dt>\(DeskPage.escape(t("case.contact")))</dt><dd id=\"contact\">\(DeskPage.escape(t("contact.none")))</dd>"
        }
        var value = "<span id=\"contact\">\(DeskPage.escape(revealed ?? record.masked))</span>"
        if revealed != nil {
            value += " <span class=\"muted\">\(DeskPage.escape(t("contact.logged")))</span>"
        } else if !record.held {
            value += " <span class=\"muted\" id=\"contact-erased\">\(DeskPage.escape(t("contact.erased")))</span>"
        } else if session.user.sites.contains(site) {
            let hidden = DeskPage.hidden("csrf", session.csrfToken) + DeskPage.hidden("request", UUID().uuidString)
            let action = "/desk/cases/\(DeskPage.component(site))/\(DeskPage.component(ref))/show-contact"
            value += " <form class=\"inline\" method=\"post\" action=\"\(action)\" id=\"form-show-contact\">\(hidden)"
                + "<button type=\"submit\">\(DeskPage.escape(t("contact.show")))</button></form>"
        } else {
            value += " <span class=\"muted\">\(DeskPage.escape(t("contact.site-only")))</span>"
        }
        return "<dt>\(DeskPage.escape(t("case.contact")))</dt><dd>\(value)</dd>"
    }

    func deskAction(_ d: DeskRequest, form: [String: String], site: String, ref: String, action: String) async throws -> Response {
        let t = d.text, user = d.session!.user
        if action == "show-contact" {
            // Only a person whose own sites include the case's opens its number (recorded).
            guard user.sites.contains(site), try await store.findCase(site: site, ref: ref) != nil else {
                throw DeskRefusal(status: .notFound, title: t("notfound.title"), message: t("notfound.body"))
            }
            let number = try await store.revealContact(site: site, ref: ref, actor: user.name)
            return try await deskCasePage(d, site: site, ref: ref, revealed: number)
        }
        guard Self.deskActions.contains(action), user.covers(site: site),
            let c = try await store.findCase(site: site, ref: ref)
        else {
            throw DeskRefusal(status: .notFound, title: t("notfound.title"), message: t("notfound.body"))
        }
        var names = DeskNames(settings: desk, text: t, store: store)
        let configuration = try await names.configurations.configuration(site)
        let now = Date()
        var e = KioskEvent(.caseAssigned, at: now, day: LocalCalendar(configuration).businessDay(of: now))
        e.caseRef = ref
        e.staff = user.name
        e.station = "desk"
        let note = (form["note"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        e.note = note.isEmpty ? nil : String(note.prefix(2000))
        func refuse(_ message: String) -> DeskRefusal { DeskRefusal(status: .badRequest, title: t("case.title", ["ref": ref]), message: message) }
        let notNow = refuse(t("act.notNow", ["status": t("status.\(c.status.rawValue)")]))
        switch action {
        case "assign":
            guard c.isOpen else { throw notNow }
            let who = form["assignee"] ?? ""
            guard try await store.staffUsers(covering: site).contains(where: { $0.name == who }) else {
                throw refuse(t("act.badAssignee", ["name": who]))
            }
            e.assignee = who
        case "contact":
            guard c.status != .closed else { throw notNow }
            e.type = .caseContacted
            guard let channel = form["channel"].flatMap(CaseChannel.init(rawValue:)) else { throw refuse(t("act.badChannel")) }
            guard e.note != nil else { throw refuse(t("act.noteNeeded")) }
            e.channel = channel
        case "callback":
            e.type = .caseCallback
            guard let outcome = form["outcome"].flatMap(CallbackOutcome.init(rawValue:)) else { throw refuse(t("act.badCallback")) }
            e.callback = outcome
        case "resolve":
            guard c.isOpen else { throw notNow }
            e.type = .caseResolved
            guard let cause = form["rootCause"], configuration.rootCauses.contains(cause) else { throw refuse(t("act.badCause")) }
            guard e.note != nil else { throw refuse(t("act.noteNeeded")) }
            e.rootCause = cause
        case "close":
            guard c.status == .resolved else { throw notNow }
            e.type = .caseClosed
            e.satisfied = form["verdict"] == "satisfied"
        default:  // reopen
            guard c.status == .resolved || c.status == .closed else { throw notNow }
            e.type = .caseReopened
            guard e.note != nil else { throw refuse(t("act.noteNeeded")) }
        }
        let request = (form["request"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !request.isEmpty, request.count <= 64 else { throw refuse(t("csrf.body")) }
        let page = "/desk/cases/\(DeskPage.component(site))/\(DeskPage.component(ref))"
        switch try await store.deskAct(site: site, ref: ref, event: e, actor: user.name, requestId: request, title: t("case.title", ["ref": ref])) {
        case .applied: return d.redirect(page + "?done=1")
        case .duplicate: return d.redirect(page + "?dup=1")
        }
    }
}
