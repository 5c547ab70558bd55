import Foundation
import Hummingbird
import KioskProtocol
import Logging
import PostgresNIO

/// The HTTP routes of kiosk-central. `routeTable` is what the OpenAPI test compares with
/// docs/openapi.yaml, so keep both in step.
public struct CentralRoutes: Sendable {
    public let store: CentralStore
    /// The case desk's settings (`/desk` pages; not part of the kiosk protocol).
    public var desk = DeskSettings()

    public init(store: CentralStore) { self.store = store }

    /// (method, OpenAPI path) of every route.
    public static let routeTable: [(method: String, path: String)] = [
        ("GET", "/v1/health"),
        ("GET", "/v1/events"),
        ("POST", "/v1/events"),
        ("POST", "/v1/heartbeat"),
        ("GET", "/v1/commands"),
        ("POST", "/v1/commands/{id}/ack"),
        ("GET", "/v1/sites/{site}/config"),
        ("GET", "/v1/cases"),
        ("POST", "/v1/contacts"),
        ("POST", "/v1/admin/sites/{site}/cases/{ref}/erase-contact"),
        ("GET", "/v1/admin/kiosks"),
        ("POST", "/v1/admin/kiosks"),
        ("POST", "/v1/admin/kiosks/{kiosk}/revoke"),
        ("POST", "/v1/admin/commands"),
        ("GET", "/v1/admin/commands"),
        ("POST", "/v1/admin/config"),
        ("GET", "/v1/admin/events"),
        ("GET", "/v1/admin/reports"),
        ("GET", "/v1/admin/sites/{site}/report.html"),
        ("GET", "/v1/admin/report.html"),
    ]

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: InternalErrorMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware(routes: Self.routeTable))
        router.get("/v1/health") { _, _ in jsonResponse(ServerTimeReply(serverTime: WireTime.string(Date()))) }
        router.post("/v1/events") { request, context in
            let (kiosk, site) = try await requireKiosk(request)
            let upload: UploadRequest = try await decodeBody(request)
            return try await ingest(upload, kiosk: kiosk, site: site)
        }
        router.get("/v1/events") { request, context in
            let (kiosk, site) = try await requireKiosk(request)
            return jsonResponse(
                try await store.ownEvents(
                    kiosk: kiosk, site: site, after: try integerParameter(request, "after", default: Int64(0), in: 0...Int64.max),
                    limit: try integerParameter(request, "limit", default: 1000, in: 1...ProtocolLimits.maxEventsPerBatch)))
        }
        router.post("/v1/heartbeat") { request, context in
            let (kiosk, site) = try await requireKiosk(request)
            let h: Heartbeat = try await decodeBody(request)
            store.recordHeartbeat(kiosk: kiosk, try validatedHeartbeat(h))
            return jsonResponse(HeartbeatReply(serverTime: WireTime.string(Date()), kiosk: kiosk, site: site))
        }
        router.get("/v1/commands") { request, context in
            let (kiosk, _) = try await requireKiosk(request)
            let wait = try integerParameter(request, "wait", default: 0, in: 0...ProtocolLimits.maxCommandWaitSeconds)
            return jsonResponse(
                CommandsReply(
                    commands: try await longPoll(kiosk: kiosk, tokenHash: TokenCache.hash(try bearer(request)), wait: wait),
                    serverTime: WireTime.string(Date())))
        }
        router.get("/v1/sites/:site/config") { request, context in
            let (_, ownSite) = try await requireKiosk(request, adminAllowed: true)
            let site = context.parameters.get("site") ?? ""
            if let ownSite, ownSite != site {
                throw APIError(
                    .forbidden, "foreign-site", "this kiosk's token belongs to site \(ownSite), not \(site)",
                    hint: "a kiosk reads only its own site's configuration")
            }
            try validateIdentifier(site, what: "site")
            let have = try integerParameter(request, "after", default: 0, in: 0...Int.max)
            guard let config = try await store.config(site: site, after: have) else { return Response(status: .noContent) }
            return jsonResponse(config)
        }
        // Admin API.
        router.get("/v1/admin/kiosks") { request, context in
            try await requireAdmin(request)
            let site = try identifierParameter(request, "site")
            return jsonResponse(KiosksReply(kiosks: try await store.kiosks(site: site)))
        }
        router.post("/v1/admin/kiosks") { request, context in
            try await requireAdmin(request)
            let r: RegisterKioskRequest = try await decodeBody(request)
            try validateIdentifier(r.kiosk, what: "kiosk")
            try validateIdentifier(r.site, what: "site")
            let token = try await store.registerKiosk(r.kiosk, site: r.site, name: r.name ?? "")
            return jsonResponse(RegisterKioskReply(kiosk: r.kiosk, site: r.site, token: token), status: .created)
        }
        router.post("/v1/admin/kiosks/:kiosk/revoke") { request, context in
            try await requireAdmin(request)
            let kiosk = context.parameters.get("kiosk") ?? ""
            let n = try await store.revokeKiosk(kiosk)
            if n == 0 {
                throw APIError(
                    .notFound, "no-live-token", "kiosk \(kiosk) has no live token",
                    hint: "check the id with `kiosk-central admin kiosks`")
            }
            return jsonResponse(["revoked": n])
        }
        router.post("/v1/admin/commands") { request, context in
            try await requireAdmin(request)
            let r: QueueCommandRequest = try await decodeBody(request)
            let command: KioskCommand
            do throws(CommandRefusal) {
                command = try KioskCommand(type: r.type, argument: r.argument)
            } catch {
                throw APIError.badRequest(error.code.rawValue, error.message, hint: error.hint)
            }
            guard r.kiosk != nil || r.site != nil else {
                throw APIError.badRequest(
                    "no-target", "a command needs a kiosk or a site", hint: "pass --kiosk ID or --site ID")
            }
            let ids = try await store.queueCommand(kiosk: r.kiosk, site: r.site, command)
            if ids.isEmpty {
                throw APIError(.notFound, "no-such-kiosk", "no kiosk matches", hint: "check ids with `kiosk-central admin kiosks`")
            }
            return jsonResponse(QueueCommandReply(queued: ids.count, ids: ids), status: .created)
        }
        router.post("/v1/admin/config") { request, context in
            try await requireAdmin(request)
            let r: PublishConfigRequest = try await decodeBody(request)
            try validateIdentifier(r.site, what: "site")
            let v = try await store.publishConfig(site: r.site, body: r.body)
            return jsonResponse(PublishConfigReply(site: r.site, version: v), status: .created)
        }
        router.get("/v1/admin/events") { request, context in
            try await requireAdmin(request)
            let limit = try integerParameter(request, "limit", default: 1000, in: 1...10_000)
            let events = try await store.events(
                site: try identifierParameter(request, "site"), kiosk: try identifierParameter(request, "kiosk"),
                afterSeq: try integerParameter(request, "after", default: Int64(0), in: 0...Int64.max), limit: limit)
            return jsonResponse(EventsReply(events: events))
        }
        router.get("/v1/admin/reports") { request, context in
            try await requireAdmin(request)
            let day = request.uri.queryParameters["day"].map(String.init)
            try ReportPages.validatePeriod(from: day, to: day)
            let (rows, source) = try await store.reports(site: try identifierParameter(request, "site"), day: day)
            var response = jsonResponse(ReportsReply(rows: rows))
            response.headers[ReportReader.header] = source.rawValue
            return response
        }
        addReportPages(to: router)
        addCommandRoutes(to: router)
        addCaseRoutes(to: router)
        addDeskRoutes(to: router)
        return router
    }

    // MARK: Upload

    func ingest(_ upload: UploadRequest, kiosk: String, site: String) async throws -> Response {
        if upload.kiosk != kiosk || (upload.site != nil && upload.site != site) {
            throw APIError(
                .forbidden, "foreign-kiosk",
                "this token belongs to kiosk \(kiosk) at site \(site), not kiosk \(upload.kiosk) at site \(upload.site ?? site)",
                hint: "a kiosk uploads only its own events; check the kiosk's token-file")
        }
        if upload.events.count > ProtocolLimits.maxEventsPerBatch {
            throw APIError(
                .contentTooLarge, "batch-too-large",
                "\(upload.events.count) events in one batch; at most \(ProtocolLimits.maxEventsPerBatch)",
                hint: "send smaller batches")
        }
        var seen = Set<Int64>()
        var times: [Date] = []
        times.reserveCapacity(upload.events.count)
        for e in upload.events {
            guard e.seq > 0, e.seq <= ProtocolLimits.maxSeq else {
                throw APIError.badRequest(
                    "bad-seq", "seq \(e.seq) is not between 1 and \(ProtocolLimits.maxSeq)",
                    hint: "sequence numbers start at 1 and count each event of the kiosk once")
            }
            guard seen.insert(e.seq).inserted else {
                throw APIError.badRequest(
                    "duplicate-seq", "seq \(e.seq) appears twice in this batch", hint: "send each event once per batch")
            }
            guard !e.type.isEmpty, e.type.count <= 64 else {
                throw APIError.badRequest("bad-type", "event \(e.seq) has an empty or overlong type", hint: "fix the kiosk")
            }
            guard let t = WireTime.parse(e.deviceTime) else {
                throw APIError.badRequest(
                    "bad-device-time", "event \(e.seq) has deviceTime '\(e.deviceTime.prefix(40))', not an ISO 8601 time between 1970 and 9999",
                    hint: "send times like 2026-11-24T07:30:00Z")
            }
            guard e.payload.isObject else {
                throw APIError.badRequest("bad-payload", "event \(e.seq) has a payload that is not a JSON object", hint: "fix the kiosk")
            }
            try LostSeqs.validate(e)
            times.append(t)
        }
        let sentAt = try upload.sentAt.map { text in
            guard let time = WireTime.parse(text) else {
                throw APIError.badRequest(
                    "bad-sent-at", "sentAt '\(text.prefix(40))' is not an ISO 8601 time between 1970 and 9999",
                    hint: "send times like 2026-11-24T07:30:00Z, or leave sentAt out")
            }
            return time
        }
        let now = Date()
        let offset = sentAt.map { Int64((now.timeIntervalSince($0) * 1000).rounded()) }
        let (stored, acked) = try await store.ingest(
            kiosk: kiosk, site: site, events: upload.events, deviceTimes: times, clockOffsetMs: offset, receivedAt: now)
        return jsonResponse(
            UploadReply(
                ackedSeq: acked, stored: stored, duplicates: upload.events.count - stored,
                serverTime: WireTime.string(Date())))
    }

    // MARK: Auth and bodies

    /// An integer query parameter: `fallback` when absent; 400 when not an integer in `range`
    /// (the bounds docs/openapi.yaml declares).
    func integerParameter<T: FixedWidthInteger>(_ request: Request, _ name: Substring, default fallback: T, in range: ClosedRange<T>) throws -> T {
        guard let text = request.uri.queryParameters[name] else { return fallback }
        guard let value = T(String(text)), range.contains(value) else {
            throw APIError.badRequest(
                "bad-\(name)", "\(name)=\(text.prefix(40)) is not an integer from \(range.lowerBound) to \(range.upperBound)",
                hint: "e.g. \(name)=\(fallback)")
        }
        return value
    }

    /// A site or kiosk id query parameter (absent: nil); an empty or malformed one is a 400, not
    /// a filter that matches nothing.
    func identifierParameter(_ request: Request, _ name: Substring) throws -> String? {
        guard let text = request.uri.queryParameters[name].map(String.init) else { return nil }
        try validateIdentifier(text, what: String(name))
        return text
    }

    func bearer(_ request: Request) throws -> String {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7 else {
            throw APIError(
                .unauthorized, "no-token", "missing 'Authorization: Bearer <token>'",
                hint: "kiosks: set token-file in [kiosk]; IT: pass --token or KIOSK_CENTRAL_TOKEN")
        }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    func principal(_ request: Request) async throws -> Principal {
        let token = try bearer(request)
        guard let p = try await store.principal(token: token) else {
            throw APIError(
                .unauthorized, "bad-token", "the token is unknown or was revoked",
                hint: "ask IT for a new token (`kiosk-central admin register`)")
        }
        return p
    }

    /// The kiosk and site of a kiosk token. With `adminAllowed`, an admin gets (\"\", nil).
    func requireKiosk(_ request: Request, adminAllowed: Bool) async throws -> (String, String?) {
        switch try await principal(request) {
        case .kiosk(let id, let site): return (id, site)
        case .admin:
            if adminAllowed { return ("", nil) }
            throw APIError(.forbidden, "kiosk-only", "this endpoint is for kiosk tokens", hint: "use a kiosk's token")
        }
    }

    func requireKiosk(_ request: Request) async throws -> (String, String) {
        let (k, s) = try await requireKiosk(request, adminAllowed: false)
        return (k, s ?? "")
    }

    func requireAdmin(_ request: Request) async throws {
        if case .kiosk(let id, _) = try await principal(request) {
            throw APIError(
                .forbidden, "admin-only", "kiosk \(id)'s token cannot use the admin API",
                hint: "use an admin token (`kiosk-central create-admin-token`)")
        }
    }

    func decodeBody<T: Decodable>(_ request: Request) async throws -> T {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > ProtocolLimits.maxBodyBytes {
            throw tooLarge()
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: ProtocolLimits.maxBodyBytes)
        } catch {
            throw tooLarge()
        }
        if let problem = BodyCheck.problem(in: buffer.readableBytesView) { throw BodyCheck.error(problem) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError.badRequest("malformed", "the JSON body lacks '\(key.stringValue)'", hint: "see docs/openapi.yaml")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw APIError.badRequest(
                "malformed", "wrong type at '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))'",
                hint: "see docs/openapi.yaml")
        } catch {
            throw APIError.badRequest("malformed", "the body is not valid JSON for this request", hint: "see docs/openapi.yaml")
        }
    }

    func tooLarge() -> APIError {
        APIError(
            .contentTooLarge, "body-too-large", "the body is larger than \(ProtocolLimits.maxBodyBytes) bytes",
            hint: "send at most \(ProtocolLimits.maxEventsPerBatch) events per batch")
    }

    /// A heartbeat as it can be stored: times that are real times PostgreSQL holds, texts cut to
    /// a sane length (NUL is refused for every body by `BodyCheck`), so no beat can fail the
    /// batch it is written in.
    func validatedHeartbeat(_ beat: Heartbeat) throws -> Heartbeat {
        var h = beat
        for (name, value) in [("oldestUnsent", h.oldestUnsent), ("lastSuccess", h.lastSuccess)] {
            guard let value else { continue }
            guard WireTime.parse(value) != nil else {
                throw APIError.badRequest(
                    "bad-time", "\(name) '\(value.prefix(40))' is not a time between 1970 and 9999 in ISO 8601",
                    hint: "send times like 2026-11-24T07:30:00Z")
            }
        }
        h.version = h.version.map { String($0.prefix(200)) }
        h.lastError = h.lastError.map { String($0.prefix(2000)) }
        return h
    }

    func validateIdentifier(_ s: String, what: String) throws {
        let ok = !s.isEmpty && s.count <= 64
            && s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0) }
            && s.allSatisfy(\.isASCII)
        if !ok {
            throw APIError.badRequest(
                "bad-\(what)-id", "\(what) id '\(s)' must be 1–64 of A-Z a-z 0-9 . _ -", hint: "choose a simpler id")
        }
    }
}
