import Foundation
import Hummingbird
import KioskProtocol

/// Cases pulled down by the kiosks of a site.
extension CentralRoutes {
    /// At most this many states per `GET /v1/cases` reply.
    static let maxCasesPerReply = 500

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
    }
}
