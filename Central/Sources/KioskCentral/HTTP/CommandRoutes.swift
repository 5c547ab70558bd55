import Foundation
import Hummingbird
import KioskProtocol
import ServiceLifecycle

/// Command outcomes: the kiosk acknowledges each command it was handed, and IT follows them.
extension CentralRoutes {
    /// A kiosk's long-poll: its pending commands at once, else the first ones queued within
    /// `wait` seconds. It asks the database when it starts and when woken by a signal for its
    /// kiosk (`CentralSignals`), not on a timer: an idle waiting kiosk costs one statement per
    /// poll. While the signal connection is down it re-checks every few seconds instead.
    /// On SIGTERM (graceful shutdown) a waiting poll answers at once, so the process exits
    /// without waiting out its polls; the kiosk asks again, another process answers.
    func longPoll(kiosk: String, tokenHash: String, wait: Int) async throws -> [Command] {
        let signals = store.signals
        return try await withGracefulShutdownHandler {
            try await poll(kiosk: kiosk, tokenHash: tokenHash, wait: wait)
        } onGracefulShutdown: {
            signals.shutDown()
        }
    }

    private func poll(kiosk: String, tokenHash: String, wait: Int) async throws -> [Command] {
        let signals = store.signals
        let deadline = ContinuousClock.now + .seconds(wait)
        let waiter = signals.commandWaiters.register(kiosk: kiosk)
        defer { signals.commandWaiters.unregister(waiter) }
        while true {
            let commands = try await store.takeCommands(kiosk: kiosk, tokenHash: tokenHash)
            let left = deadline - ContinuousClock.now
            if !commands.isEmpty || left <= .zero || signals.isShuttingDown { return commands }
            let seconds = Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18
            let heard = signals.listening
            let woken = await waiter.wait(upTo: heard ? seconds : min(seconds, CentralSignals.fallbackRecheckSeconds))
            if Task.isCancelled || signals.isShuttingDown { return [] }
            // Slept to the deadline without a signal: nothing came (the next poll starts with a
            // look). Not `now >= deadline`: the sleep may end a hair early, and a second look
            // per poll would double an idle kiosk's cost.
            if !woken, heard { return [] }
        }
    }

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
            let limit = try integerParameter(request, "limit", default: 100, in: 1...1000)
            let commands = try await store.commandStatuses(
                site: try identifierParameter(request, "site"), kiosk: try identifierParameter(request, "kiosk"),
                id: q["id"] == nil ? nil : try integerParameter(request, "id", default: Int64(0), in: Int64.min...Int64.max), limit: limit)
            return jsonResponse(CommandsStatusReply(commands: commands))
        }
    }
}
