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
            let limit = integerParameter(request, "limit", default: 200, in: 1...Self.maxCasesPerReply)
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
    }
}
