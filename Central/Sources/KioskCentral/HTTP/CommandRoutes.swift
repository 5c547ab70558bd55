import Foundation
import Hummingbird
import KioskProtocol

/// Command outcomes: the kiosk acknowledges each command it was handed, and IT follows them.
extension CentralRoutes {
    func addCommandRoutes(to router: Router<BasicRequestContext>) {
        router.post("/v1/commands/:id/ack") { request, context in
            let (kiosk, _) = try await requireKiosk(request)
            guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                throw APIError.badRequest("bad-command-id", "the command id must be a number", hint: "use the id from GET /v1/commands")
            }
            let ack: CommandAckRequest = try await decodeBody(request)
            guard ["done", "failed"].contains(ack.result) else {
                throw APIError.badRequest("bad-result", "result '\(ack.result)' is neither done nor failed", hint: "send done or failed")
            }
            guard let status = try await store.acknowledgeCommand(
                kiosk: kiosk, id: id, result: ack.result, message: String((ack.message ?? "").prefix(2000)))
            else {
                throw APIError(
                    .notFound, "no-such-command", "kiosk \(kiosk) has no command \(id)",
                    hint: "acknowledge only commands this kiosk received from GET /v1/commands")
            }
            return jsonResponse(status)
        }
        router.get("/v1/admin/commands") { request, context in
            try await requireAdmin(request)
            let q = request.uri.queryParameters
            let limit = integerParameter(request, "limit", default: 100, in: 1...1000)
            let commands = try await store.commandStatuses(
                site: q["site"].map(String.init), kiosk: q["kiosk"].map(String.init),
                id: q["id"].flatMap { Int64(String($0)) }, limit: limit)
            return jsonResponse(CommandsStatusReply(commands: commands))
        }
    }
}
