import Foundation
import Hummingbird
import KioskCore

/// How the case desk runs (flags of `kiosk-central serve`).
public struct DeskSettings: Sendable {
    /// Mark cookies `Secure` even without `X-Forwarded-Proto: https` (a centre that is only ever
    /// reached through TLS).
    public var secureCookies = false
    /// The kiosk's message catalogs, for the names of reasons (`reason.*`) and root causes
    /// (`cause.*`); without them the keys are shown.
    public var catalogs: Catalogs?
    public var limits = DeskLimits()
    public init() {}
}

/// One request to the desk: who is signed in, in which language, and how cookies are set.
struct DeskRequest {
    var request: Request
    var session: DeskSession?
    var text: DeskText
    /// The `lang` cookie to set when the person just chose a language.
    var languageCookie: String?
    var secure: Bool
    /// The path and query without `lang` (for links back to the same page).
    var path: String

    func page(_ title: String, _ body: String, status: HTTPResponse.Status = .ok, notice: String? = nil, error: Bool = false) -> DeskPage {
        DeskPage(text: text, title: title, session: session, path: path, body: body, status: status, notice: notice, noticeIsError: error)
    }

    func respond(_ page: DeskPage, cookies: [String] = []) -> Response {
        var extra = HTTPFields()
        extra[values: .setCookie] = cookies + (languageCookie.map { [$0] } ?? [])
        return page.response(extraHeaders: extra)
    }

    func redirect(_ location: String, cookies: [String] = []) -> Response {
        var r = Response.redirect(to: location, type: .found)
        r.status = .seeOther
        r.headers[values: .setCookie] = cookies + (languageCookie.map { [$0] } ?? [])
        r.headers[.cacheControl] = "no-store"
        return r
    }

    /// A cookie for the desk's path: never readable by scripts, never sent from another site.
    func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/desk; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure ? "; Secure" : "")"
    }

    /// The client's address as nginx saw it (the last X-Forwarded-For hop, which nginx's
    /// `$proxy_add_x_forwarded_for` appends), else X-Real-IP, else "direct".
    var clientAddress: String {
        if let xff = request.headers[HTTPFields.Element.Name("X-Forwarded-For")!],
            let last = xff.split(separator: ",").last.map({ $0.trimmingCharacters(in: CharacterSet.whitespaces) }), !last.isEmpty
        {
            return String(last.prefix(64))
        }
        if let real = request.headers[HTTPFields.Element.Name("X-Real-IP")!], !real.isEmpty { return String(real.prefix(64)) }
        return "direct"
    }
}

enum DeskCookie {
    static let session = "kiosk_desk"
    static let language = "kiosk_desk_lang"
    /// The sign-in form's CSRF token (double submit: cookie and hidden field must match).
    static let login = "kiosk_desk_login"
}

/// Thrown by a handler to answer with a desk page (403, 404, …) instead of JSON.
struct DeskRefusal: Error {
    var status: HTTPResponse.Status
    var title: String
    var message: String
}

extension CentralRoutes {
    /// The case desk: `/desk…` pages for staff accounts (see docs/central.md, "The case desk").
    func addDeskRoutes(to router: Router<BasicRequestContext>) {
        router.get("/desk/login") { request, _ in try await deskLoginPage(request) }
        router.post("/desk/login") { request, _ in try await deskLogin(request) }
        router.post("/desk/logout") { request, _ in
            try await desk(request, post: true) { d, _ in
                if let token = request.cookies[DeskCookie.session]?.value { try await store.endDeskSession(token: token) }
                return d.redirect("/desk/login", cookies: [d.cookie(DeskCookie.session, "", maxAge: 0)])
            }
        }
        addDeskCasePages(to: router)
    }

    /// Runs a desk handler for a signed-in person: language, session, and for a POST the CSRF
    /// token; otherwise the sign-in page (GET) or a 403 page (POST).
    func desk(
        _ request: Request, post: Bool = false, _ body: (DeskRequest, [String: String]) async throws -> Response
    ) async throws -> Response {
        var d = deskRequest(request)
        // After a POST the language link leads to the list, not to the action's URL.
        if post { d.path = "/desk" }
        let form = post ? try await deskForm(request) : [:]
        do {
            guard let token = request.cookies[DeskCookie.session]?.value,
                let session = try await store.deskSession(token: token, limits: desk.limits)
            else {
                if post { throw DeskRefusal(status: .forbidden, title: d.text("login.expired"), message: d.text("csrf.body")) }
                let next = DeskPage.component(d.path)
                return d.redirect("/desk/login?next=\(next)")
            }
            d.session = session
            if post, !Self.sameSecret(form["csrf"] ?? "", session.csrfToken) {
                throw DeskRefusal(status: .forbidden, title: d.text("csrf.title"), message: d.text("csrf.body"))
            }
            return try await body(d, form)
        } catch let r as DeskRefusal {
            let body = "<h1>\(DeskPage.escape(r.title))</h1><p>\(DeskPage.escape(r.message))</p><p><a href=\"/desk\">\(DeskPage.escape(d.text("nav.open")))</a></p>"
            return d.respond(d.page(r.title, body, status: r.status))
        }
    }

    /// Language, cookie security and the page's own path for this request.
    func deskRequest(_ request: Request) -> DeskRequest {
        let query = request.uri.queryParameters
        var language = DeskLanguage(rawValue: request.cookies[DeskCookie.language]?.value ?? "") ?? .zh
        let secure = desk.secureCookies || request.headers[HTTPFields.Element.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
        var d = DeskRequest(
            request: request, session: nil, text: DeskText(language: language), languageCookie: nil, secure: secure,
            path: request.uri.path)
        if let chosen = query["lang"].flatMap({ DeskLanguage(rawValue: String($0)) }) {
            language = chosen
            d.text = DeskText(language: chosen)
            d.languageCookie = d.cookie(DeskCookie.language, chosen.rawValue, maxAge: 365 * 86_400)
        }
        let kept = query.filter { !["lang", "done", "dup"].contains($0.key) }.map { "\(DeskPage.component(String($0.key)))=\(DeskPage.component(String($0.value)))" }
        if !kept.isEmpty { d.path += "?" + kept.joined(separator: "&") }
        return d
    }

    /// An `application/x-www-form-urlencoded` body (at most 64 KiB).
    func deskForm(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let text = String(buffer: buffer)
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            out[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return out
    }

    /// Compares two secrets in time that does not depend on where they differ.
    static func sameSecret(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    // MARK: Sign in

    func deskLoginPage(_ request: Request, notice: String? = nil, status: HTTPResponse.Status = .ok, name: String = "") async throws -> Response {
        let d = deskRequest(request)
        let t = d.text
        let loginToken = CentralStore.newToken(prefix: "login")
        let next = request.uri.queryParameters["next"].map(String.init) ?? ""
        let body = """
            <div class="login card"><h1>\(DeskPage.escape(t("login.title")))</h1>
            <form method="post" action="/desk/login">\(DeskPage.hidden("csrf", loginToken))\(DeskPage.hidden("next", next))
            <label>\(DeskPage.escape(t("login.name")))<input name="name" id="name" autocomplete="username" autocapitalize="none" required value="\(DeskPage.escape(name))"></label>
            <label>\(DeskPage.escape(t("login.password")))<input name="password" id="password" type="password" autocomplete="current-password" required></label>
            <button type="submit" id="login">\(DeskPage.escape(t("login.submit")))</button></form></div>
            """
        return d.respond(
            d.page(t("login.title"), body, status: status, notice: notice, error: notice != nil),
            cookies: [d.cookie(DeskCookie.login, loginToken, maxAge: 3600)])
    }

    func deskLogin(_ request: Request) async throws -> Response {
        let d = deskRequest(request)
        let form = try await deskForm(request)
        guard let cookie = request.cookies[DeskCookie.login]?.value, Self.sameSecret(form["csrf"] ?? "", cookie) else {
            let body = "<h1>\(DeskPage.escape(d.text("csrf.title")))</h1><p>\(DeskPage.escape(d.text("csrf.body")))</p><p><a href=\"/desk/login\">\(DeskPage.escape(d.text("login.submit")))</a></p>"
            return d.respond(d.page(d.text("csrf.title"), body, status: .forbidden))
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        do {
            let (token, _) = try await store.login(
                name: name, password: form["password"] ?? "", address: d.clientAddress, limits: desk.limits)
            var next = form["next"] ?? ""
            if !next.hasPrefix("/desk") || next.hasPrefix("/desk/login") || next.contains("//") { next = "/desk" }
            return d.redirect(next, cookies: [
                d.cookie(DeskCookie.session, token, maxAge: desk.limits.sessionLifetime), d.cookie(DeskCookie.login, "", maxAge: 0),
            ])
        } catch let refusal as LoginRefusal {
            switch refusal {
            case .wrongCredentials:
                return try await deskLoginPage(request, notice: d.text("login.wrong"), status: .unauthorized, name: name)
            case .rateLimited(let until, let byAddress):
                // Whole minutes, rounded up: "try again in 12 min".
                let wait = (max(until.timeIntervalSinceNow, 60) / 60).rounded(.up) * 60
                let notice = d.text(byAddress ? "login.limited.address" : "login.limited.name", ["time": d.text.duration(wait)])
                return try await deskLoginPage(request, notice: notice, status: .tooManyRequests, name: name)
            }
        }
    }
}
