#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskProtocol

/// # IT's commands: the long-poll and what each command starts
///
/// Pure: the driver performs the long-poll (a blocking HTTP call, on its transport thread) and
/// feeds the answer back; the clock and the jitter come in as arguments. `sync` commands wait
/// here for the end of the drain they started, then are acknowledged with its outcome.
public struct CommandPoller: Sendable {
    public enum Action: Equatable, Sendable {
        /// Long-poll `GET /v1/commands?wait=` and call `commandsArrived` or `pollFailed`.
        case longPoll(wait: Int)
        /// Drain the outbox now (a `sync` command).
        case syncNow
        /// Look for a newer published configuration for this command (`reload-config`).
        case reloadConfig(commandID: Int64)
        /// Hand a command that changes the kiosk to the daemon's loop; it acknowledges it.
        case deliver(id: Int64, KioskCommand)
        /// Store this outcome and report it to the centre.
        case acknowledge(id: Int64, ok: Bool, message: String)
        /// A line for the log.
        case log(String)
    }

    /// Long-poll wait, seconds; 0: commands are not polled.
    public let wait: Int
    /// Longest pause between failed polls.
    public let backoffCap: TimeInterval
    private var polling = false
    private var resumeAt: Date?
    private var failures = 0
    /// `sync` commands waiting for the end of the drain they started.
    public private(set) var awaitingDrain: [Int64] = []

    public init(wait: Int, backoffCap: TimeInterval) {
        self.wait = wait
        self.backoffCap = backoffCap
    }

    /// When the machine next wants `tick`.
    public var deadline: Date? { polling || wait <= 0 ? nil : resumeAt }

    public mutating func start(now: Date) -> [Action] {
        guard wait > 0 else { return [] }
        return poll()
    }

    public mutating func tick(now: Date) -> [Action] {
        guard let resumeAt, !polling, wait > 0, now >= resumeAt else { return [] }
        return poll()
    }

    /// The long-poll answered: route each command, then poll again at once.
    public mutating func commandsArrived(_ commands: [Command], now: Date) -> [Action] {
        polling = false
        failures = 0
        var actions: [Action] = []
        for c in commands {
            actions.append(.log("sync: command \(c.type)\(c.argument.map { " \($0)" } ?? "") from the centre"))
            switch c.parsed {
            case .success(.sync):
                awaitingDrain.append(c.id)
                actions.append(.syncNow)
            case .success(.reloadConfig):
                actions.append(.reloadConfig(commandID: c.id))
            case .success(let command):
                actions.append(.deliver(id: c.id, command))
            case .failure(let refusal):
                let known = KioskCommand.sentence(KioskCommand.Kind.allCases.map(\.rawValue), or: "and")
                actions.append(.acknowledge(id: c.id, ok: false, message: "\(refusal.message); this kiosk knows \(known) (update the kiosk)"))
            }
        }
        return actions + poll()
    }

    /// The long-poll failed (centre unreachable, refused): poll again after a jittered backoff,
    /// at least half a second later.
    public mutating func pollFailed(now: Date, jitter: Double) -> [Action] {
        polling = false
        failures += 1
        let delay = SyncMachine.backoffDelay(failures: failures, base: 1, cap: backoffCap, jitter: jitter)
        resumeAt = now.addingTimeInterval(max(delay, 0.5))
        return []
    }

    /// A drain ended (caught up, or stopped by a failure): the `sync` commands that asked for it
    /// are done or failed. `summary` is what to tell IT on success ("acknowledged through #812,
    /// backlog 0"); nil when it could not be read.
    public mutating func drainEnded(failure: String?, summary: String?) -> [Action] {
        let ids = awaitingDrain
        awaitingDrain = []
        let message = failure.map { "sync failed: \($0)" } ?? summary.map { "synced: \($0)" } ?? "synced"
        return ids.map { .acknowledge(id: $0, ok: failure == nil, message: message) }
    }

    private mutating func poll() -> [Action] {
        polling = true
        resumeAt = nil
        return [.longPoll(wait: wait)]
    }
}
