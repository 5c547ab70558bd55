import Foundation
import Hummingbird

/// The frame of every desk page: one small inline style sheet (readable on a phone), the
/// navigation, the sign-out form (with the session's CSRF token), no external resources. Pages
/// work without JavaScript; the one inline script only counts the deadlines down.
struct DeskPage {
    var text: DeskText
    var title: String
    /// Nil on the sign-in page.
    var session: DeskSession?
    /// The path of this page without `lang`, for the language switch.
    var path: String
    var body: String
    var status: HTTPResponse.Status = .ok
    /// A one-line notice above the content ("Saved.", an error).
    var notice: String?
    var noticeIsError = false

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A percent-encoded query or path component.
    static func component(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    /// A hidden field.
    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(escape(name))\" value=\"\(escape(value))\">"
    }

    static let style = """
        *{box-sizing:border-box}
        body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",system-ui,sans-serif;margin:0;color:#1d2430;background:#f4f6f8;font-size:16px;line-height:1.45}
        header{background:#1f4e79;color:#fff;padding:10px 16px;display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center}
        header a,header button{color:#fff;text-decoration:none;font-size:15px}
        header .brand{font-weight:bold;font-size:17px;margin-right:auto}
        header form{margin:0}
        header button{background:none;border:1px solid #fff8;border-radius:4px;padding:3px 10px;cursor:pointer}
        main{max-width:1080px;margin:0 auto;padding:16px}
        h1{font-size:21px;margin:4px 0 12px}
        h2{font-size:17px;margin:20px 0 8px}
        .notice{padding:10px 12px;border-radius:6px;background:#e3f1e5;border:1px solid #9bc9a4;margin-bottom:12px}
        .notice.error{background:#fbe9e7;border-color:#e3a59a}
        table{border-collapse:collapse;width:100%;background:#fff;border-radius:6px;overflow:hidden}
        th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #e3e7ec;vertical-align:top}
        th{background:#eef2f6;font-weight:600;font-size:14px}
        tr.overdue td{background:#fdecea}
        tr.risk td{background:#fff6e0}
        .tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:13px;white-space:nowrap}
        .tag.overdue{background:#c62828;color:#fff}.tag.risk{background:#ef8f00;color:#fff}.tag.ok{background:#dfe7ef}
        .muted{color:#5f6b7a;font-size:14px}
        .card{background:#fff;border-radius:6px;padding:12px 14px;margin-bottom:14px}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:0}
        dl.facts dt{color:#5f6b7a}dl.facts dd{margin:0}
        ol.timeline{list-style:none;padding:0;margin:0}
        ol.timeline li{border-left:3px solid #1f4e79;padding:4px 0 8px 12px;margin-left:4px}
        form.act{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-end;margin:0}
        form.act label{display:flex;flex-direction:column;font-size:14px;gap:2px}
        input,select,textarea,button{font:inherit;padding:6px 8px;border:1px solid #9aa7b5;border-radius:4px;max-width:100%}
        textarea{width:min(480px,100%);min-height:3em}
        button{background:#1f4e79;color:#fff;border-color:#1f4e79;cursor:pointer}
        .search{display:flex;gap:8px;flex-wrap:wrap;margin-bottom:12px}
        .figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:10px}
        .figure{background:#fff;border-radius:6px;padding:10px 12px}.figure b{display:block;font-size:24px}
        .login{max-width:360px;margin:40px auto}
        .login label{display:block;margin-bottom:10px}.login input{width:100%}
        @media (max-width:640px){
          table.cases thead{display:none}
          table.cases tr{display:block;border-bottom:2px solid #d5dbe2;padding:6px 0}
          table.cases td{display:block;border:none;padding:2px 10px}
          table.cases td[data-label]::before{content:attr(data-label) ": ";color:#5f6b7a;font-size:13px}
          main{padding:10px}
        }
        """

    /// The countdown: each `[data-deadline]` shows the time left (or overdue) every 30 s; the
    /// server-rendered text stays when scripts are off.
    static func countdown(_ text: DeskText) -> String {
        let units = text.language == .zh ? ["分钟", "小时", "天", "超时 ", "剩余 "] : [" min", " h", " d", " overdue", " left"]
        return """
            (function(){var u=\(jsonArray(units));
            function f(s){var m=Math.floor(Math.abs(s)/60);if(m<60)return m+u[0];if(m<2880)return Math.floor(m/60)+u[1]+" "+(m%60)+u[0];return Math.floor(m/1440)+u[2]+" "+Math.floor((m%1440)/60)+u[1];}
            function t(){var now=Date.now();document.querySelectorAll("[data-deadline]").forEach(function(e){var s=(Date.parse(e.getAttribute("data-deadline"))-now)/1000;e.textContent=\(text.language == .zh ? "s<0?u[3]+f(s):u[4]+f(s)" : "s<0?f(s)+u[3]:f(s)+u[4]");});}
            t();setInterval(t,30000);})();
            """
    }

    static func jsonArray(_ items: [String]) -> String {
        "[" + items.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "]"
    }

    func render(nonce: String) -> String {
        let t = text
        let other: DeskLanguage = t.language == .zh ? .en : .zh
        let sep = path.contains("?") ? "&" : "?"
        var nav = "<a class=\"brand\" href=\"/desk\">\(Self.escape(t("title")))</a>"
        if let session {
            nav += "<a href=\"/desk\">\(Self.escape(t("nav.open")))</a>"
            nav += "<a href=\"/desk/mine\">\(Self.escape(t("nav.mine")))</a>"
            nav += "<a href=\"/desk/figures\">\(Self.escape(t("nav.figures")))</a>"
            nav += "<span class=\"who\">\(Self.escape(t("signedIn", ["name": session.user.shownName])))</span>"
            nav += "<form method=\"post\" action=\"/desk/logout\">\(Self.hidden("csrf", session.csrfToken))"
                + "<button type=\"submit\" id=\"logout\">\(Self.escape(t("nav.logout")))</button></form>"
        }
        nav += "<a id=\"lang\" href=\"\(Self.escape(path + sep + "lang=" + other.rawValue))\">\(Self.escape(t("nav.language")))</a>"
        let notice = self.notice.map { "<div class=\"notice\(noticeIsError ? " error" : "")\" role=\"status\">\(Self.escape($0))</div>" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="\(t.language.htmlTag)"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(Self.escape(title)) · \(Self.escape(t("title")))</title>
            <style nonce="\(nonce)">\(Self.style)</style></head>
            <body><header>\(nav)</header>
            <main>\(notice)\(body)</main>
            <script nonce="\(nonce)">\(Self.countdown(t))</script>
            </body></html>

            """
    }

    /// The page as a response: no caching, no framing, nothing loaded from elsewhere.
    func response(extraHeaders: HTTPFields = [:]) -> Response {
        let nonce = CentralStore.newToken(prefix: "n")
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8",
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'none'; style-src 'nonce-\(nonce)'; script-src 'nonce-\(nonce)'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ]
        headers[HTTPFields.Element.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPFields.Element.Name("Referrer-Policy")!] = "same-origin"
        headers[HTTPFields.Element.Name("X-Content-Type-Options")!] = "nosniff"
        headers.append(contentsOf: extraHeaders)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: render(nonce: nonce))))
    }
}
