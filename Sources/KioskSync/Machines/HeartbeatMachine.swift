#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskProtocol

/// # The heartbeat: every `sync-interval`, the kiosk's health to the centre
///
/// Pure. The centre's answer names the kiosk's site, which starts a configuration check; a
/// failed heartbeat becomes the kiosk's last error, so `kioskctl status` shows it even when
/// there was nothing to upload.
public struct HeartbeatMachine: Sendable {
    public enum Action: Equatable, Sendable {
        /// Send `POST /v1/heartbeat`; call `answered` or `failed`.
        case sendHeartbeat
        /// Look for a newer configuration for this site (`ConfigCheck.periodic`).
        case checkConfig(site: String)
        /// Record this as the last error (status, next heartbeat).
        case recordFailure(String)
    }

    public let interval: TimeInterval
    private var dueAt: Date
    private var sending = false

    /// The first heartbeat is due at `now` (the driver drains the outbox first).
    public init(interval: TimeInterval, now: Date) {
        self.interval = interval
        dueAt = now
    }

    public var deadline: Date? { sending ? nil : dueAt }

    public mutating func tick(now: Date) -> [Action] {
        guard !sending, now >= dueAt else { return [] }
        sending = true
        dueAt = now.addingTimeInterval(interval)
        return [.sendHeartbeat]
    }

    public mutating func answered(site: String, now: Date) -> [Action] {
        sending = false
        return [.checkConfig(site: site)]
    }

    public mutating func failed(_ error: String, now: Date) -> [Action] {
        sending = false
        return [.recordFailure("heartbeat: \(error)")]
    }
}

/// # Published configurations: found by the periodic check or asked for by `reload-config`
///
/// Pure. The newest version handed to the daemon's loop is remembered, so the periodic check
/// does not offer it again (a refused version is logged once, not every interval);
/// `reload-config` offers anything newer than the running version.
public struct ConfigCheck: Sendable {
    public enum Action: Equatable, Sendable {
        /// `GET /v1/sites/{site}/config?after=`; call `fetched` or `fetchFailed`.
        case fetch(site: String, after: Int, commandID: Int64?)
        /// Send a heartbeat to learn this kiosk's site; call `siteLearned` or `fetchFailed`.
        case learnSite(commandID: Int64)
        /// Hand the version to the daemon's loop (which acknowledges `commandID` once applied).
        case deliver(ConfigReply, commandID: Int64?)
        case acknowledge(id: Int64, ok: Bool, message: String)
        case log(String)
    }

    public private(set) var offeredVersion = 0

    public init() {}

    /// A heartbeat named the site; `running` is the version the kiosk runs.
    public func periodic(site: String, running: Int) -> [Action] {
        [.fetch(site: site, after: max(running, offeredVersion), commandID: nil)]
    }

    public func reloadRequested(commandID: Int64) -> [Action] { [.learnSite(commandID: commandID)] }

    public func siteLearned(_ site: String, commandID: Int64, running: Int) -> [Action] {
        [.fetch(site: site, after: running, commandID: commandID)]
    }

    public mutating func fetched(_ config: ConfigReply?, site: String, after version: Int, commandID: Int64?) -> [Action] {
        guard let config else {
            guard let commandID else { return [] }
            return [.acknowledge(
                id: commandID, ok: true,
                message: "already running configuration version \(version); nothing newer is published for site \(site)")]
        }
        offeredVersion = max(offeredVersion, config.version)
        return [.log("sync: configuration version \(config.version) published for site \(site)"), .deliver(config, commandID: commandID)]
    }

    public func fetchFailed(_ error: String, commandID: Int64?) -> [Action] {
        let log = Action.log("sync: cannot fetch the published configuration: \(error)")
        guard let commandID else { return [log] }
        return [log, .acknowledge(id: commandID, ok: false, message: "cannot fetch the published configuration: \(error)")]
    }
}
