import Foundation
import Hummingbird
import KioskProtocol

/// Cases pulled down by the kiosks of a site.
extension CentralRoutes {
    /// At most this many states per `GET /v1/cases` reply.
    static let maxCasesPerReply = 500
    /// At most this many call-back numbers per `POST /v1/contacts`.
    static let maxContactsPerUpload = 100

    func addCaseRoutes(to router: Router<BasicRequestContext>) {
        // The token's own site only: there is no site parameter, so a kiosk cannot even ask
        // for another site's cases.
        router.get("/v1/cases") { request, context in
            let (_, site) = try await requireKiosk(request)
            let afterText = request.uri.queryParameters["after"].map(String.init) ?? "0"
            guard let after = Int64(afterText), after >= 0 else {
                throw APIError.badRequest(
                    "bad-after", "after '\(afterText)' is not a change number",
                    hint: "send the `next` of the previous reply, or 0 the first time")
            }
            let limit = try integerParameter(request, "limit", default: 200, in: 1...Self.maxCasesPerReply)
            return jsonResponse(try await store.casesChanged(site: site, after: after, limit: limit))
        }
        // Residents' call-back numbers, once each (the kiosk erases its copy on the answer); the
        // token's site is the cases' site.
        router.post("/v1/contacts") { request, context in
            let (_, site) = try await requireKiosk(request)
            let upload: ContactsUpload = try await decodeBody(request)
            guard upload.contacts.count <= Self.maxContactsPerUpload else {
                throw APIError(
                    .contentTooLarge, "too-many-contacts", "\(upload.contacts.count) contacts in one request; at most \(Self.maxContactsPerUpload)",
                    hint: "send them in smaller groups")
            }
            let stored = try await store.storeContacts(site: site, upload.contacts)
            return jsonResponse(ContactsReply(stored: stored, serverTime: WireTime.string(Date())))
        }
        // A resident asked for their number to be erased (`kiosk-central admin erase-contact`).
        router.post("/v1/admin/sites/:site/cases/:ref/erase-contact") { request, context in
            try await requireAdmin(request)
            let site = context.parameters.get("site") ?? "", ref = context.parameters.get("ref") ?? ""
            guard let record = try await store.contactRecord(site: site, ref: ref) else {
                throw APIError(
                    .notFound, "no-contact", "case \(ref) at site \(site) has no call-back number",
                    hint: "check the site and the reference (R20261203-001); a number skipped at the pad was never stored")
            }
            let erased = try await store.eraseContact(site: site, ref: ref, why: "request", actor: "admin")
            return jsonResponse(EraseContactReply(site: site, ref: ref, masked: record.masked, erased: erased))
        }
    }
}
