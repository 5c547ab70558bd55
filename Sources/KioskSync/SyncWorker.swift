import Foundation
import KioskStorage

/// The thin adapter around `SyncMachine`: its own thread, its own SQLite connection and its own
/// URLSession, so a slow or absent centre never blocks the kiosk's screens (the daemon's poll
/// loop only calls `syncNow()`, which signals a semaphore). Also long-polls IT's commands on a
/// second thread.
public final class SyncWorker: @unchecked Sendable {
    public struct Options: Sendable {
        public var centralURL: String
        public var tokenFile: String
        public var kioskID: String
        public var interval: TimeInterval
        public var batchSize: Int
        /// Unsent bytes at which the operator is warned (events are never dropped).
        public var diskBudgetBytes: Int64
        /// Long-poll wait for commands, seconds (0: no command polling).
        public var commandWait: Int
        public var version: String
        /// 256 MiB of unsent event JSON (about a million events).
        public static let defaultDiskBudgetBytes: Int64 = 256 * 1024 * 1024

        public init(
            centralURL: String, tokenFile: String, kioskID: String, interval: TimeInterval = 60, batchSize: Int = 500,
            diskBudgetBytes: Int64 = Options.defaultDiskBudgetBytes, commandWait: Int = 25, version: String = "dev"
        ) {
            self.centralURL = centralURL
            self.tokenFile = tokenFile
            self.kioskID = kioskID
            self.interval = interval
            self.batchSize = batchSize
            self.diskBudgetBytes = diskBudgetBytes
            self.commandWait = commandWait
            self.version = version
        }
    }

    /// What one `drain` achieved, for `kioskctl sync`.
    public struct Report: Sendable, Equatable {
        public var sent: Int64
        public var ackedSeq: Int64
        public var backlog: Int64
        public var error: String?
    }

    let storePath: String
    let options: Options
    let log: @Sendable (String) -> Void
    let onCommand: @Sendable (CentralClient.Command) -> Void
    private let wake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopping = false
    private let started = Date()

    public init(
        storePath: String, options: Options, log: @escaping @Sendable (String) -> Void,
        onCommand: @escaping @Sendable (CentralClient.Command) -> Void = { _ in }
    ) {
        self.storePath = storePath
        self.options = options
        self.log = log
        self.onCommand = onCommand
    }

    /// Starts the sync thread (and the command thread when `commandWait > 0`).
    public func start() {
        let t = Thread { [self] in self.runForever() }
        t.name = "kiosk-sync"
        t.start()
        if options.commandWait > 0 {
            let c = Thread { [self] in self.pollCommands() }
            c.name = "kiosk-sync-commands"
            c.start()
        }
    }

    /// Ask for a sync now (IT's `sync` command, `kioskctl sync`); never blocks.
    public func syncNow() { wake.signal() }

    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        wake.signal()
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    // MARK: Loops

    private func runForever() {
        while !isStopping {
            do {
                let store = try EventStore(path: storePath)
                var client = CentralClient(baseURL: options.centralURL, token: try CentralClient.readToken(path: options.tokenFile))
                var machine = SyncMachine(
                    settings: SyncMachine.Settings(batchSize: options.batchSize, interval: options.interval),
                    ackedSeq: try store.syncState().ackedSeq, now: Date())
                var action = machine.start()
                var lastHeartbeat = Date.distantPast
                while !isStopping {
                    if case .wait(let until) = action {
                        if Date().timeIntervalSince(lastHeartbeat) >= options.interval {
                            lastHeartbeat = Date()
                            sendHeartbeat(store: store, client: client)
                        }
                        let signalled = wake.wait(timeout: .now() + max(0, until.timeIntervalSinceNow)) == .success
                        if isStopping { return }
                        if machine.failures > 0, let token = try? CentralClient.readToken(path: options.tokenFile) {
                            // IT may have issued a new token-file after a revocation: use it.
                            client = CentralClient(baseURL: options.centralURL, token: token)
                        }
                        action = (signalled ? machine.syncNow() : machine.timerFired(now: Date())) ?? .wait(until: until)
                        continue
                    }
                    action = step(action, machine: &machine, store: store, client: client).0
                }
                store.close()
            } catch {
                // Cannot open the store or read the token: say so, retry after an interval.
                log("sync: \(error)")
                _ = wake.wait(timeout: .now() + options.interval)
            }
        }
    }

    /// Long-polls IT's commands. Also fetches the site's published configuration at start (so a
    /// restarted kiosk runs the latest published version again) and on `reload-config`; a new
    /// version is handed on as the command `apply-config` (id: version, argument: the text).
    private func pollCommands() {
        var failures = 0
        var configFetched = false
        while !isStopping {
            do {
                let client = CentralClient(
                    baseURL: options.centralURL, token: try CentralClient.readToken(path: options.tokenFile),
                    requestTimeout: TimeInterval(options.commandWait + 15))
                if !configFetched {
                    fetchConfig(client, after: 0)
                    configFetched = true
                }
                for c in try client.commands(wait: options.commandWait) {
                    log("sync: command \(c.type)\(c.argument.map { " \($0)" } ?? "") from the centre")
                    if c.type == "sync" { syncNow() }
                    if c.type == "reload-config" {
                        let running = (try? EventStore(readOnlyPath: storePath).syncState().configVersion) ?? 0
                        fetchConfig(client, after: running)
                    }
                    onCommand(c)
                }
                failures = 0
            } catch {
                failures += 1
                let delay = SyncMachine.backoffDelay(
                    failures: failures, base: 1, cap: options.interval, jitter: Double.random(in: 0..<1))
                Thread.sleep(forTimeInterval: max(delay, 0.5))
            }
        }
    }

    private func fetchConfig(_ client: CentralClient, after version: Int) {
        do {
            let store = try EventStore(readOnlyPath: storePath)
            defer { store.close() }
            guard let site = try client.heartbeat(heartbeatFields(store: store)) else { return }
            if let config = try client.config(site: site, after: version) {
                log("sync: configuration version \(config.version) published for site \(site)")
                onCommand(CentralClient.Command(id: Int64(config.version), type: "apply-config", argument: config.body))
            }
        } catch {
            log("sync: cannot fetch the published configuration: \(error)")
        }
    }

    /// Drains the outbox once (until caught up or the first failure) on the calling thread.
    public func drain() -> Report {
        do {
            let store = try EventStore(path: storePath)
            defer { store.close() }
            let client = CentralClient(baseURL: options.centralURL, token: try CentralClient.readToken(path: options.tokenFile))
            let startAcked = try store.syncState().ackedSeq
            var machine = SyncMachine(
                settings: SyncMachine.Settings(batchSize: options.batchSize, interval: options.interval),
                ackedSeq: startAcked, now: Date())
            var action = machine.start()
            var failure: String?
            while true {
                if case .wait = action { break }
                let (next, error) = step(action, machine: &machine, store: store, client: client)
                action = next
                failure = error
            }
            sendHeartbeat(store: store, client: client)
            let backlog = try store.backlog()
            return Report(sent: machine.ackedSeq - startAcked, ackedSeq: machine.ackedSeq, backlog: backlog.count, error: failure)
        } catch {
            return Report(sent: 0, ackedSeq: 0, backlog: 0, error: "\(error)")
        }
    }

    // MARK: One step

    private var pending: [OutboxEvent] = []

    /// Performs one action and feeds its result to the machine; returns the next action and the
    /// failure message, if any.
    private func step(
        _ action: SyncMachine.Action, machine: inout SyncMachine, store: EventStore, client: CentralClient
    ) -> (SyncMachine.Action, String?) {
        let jitter = Double.random(in: 0..<1)
        switch action {
        case .wait(let until):
            return (.wait(until: until), nil)
        case .readOutbox(let after, let limit):
            do {
                pending = try store.outbox(after: after, limit: limit)
                if pending.isEmpty { warnAboutBudget(store) }
                return (machine.outboxRead(firstSeq: pending.first?.seq, lastSeq: pending.last?.seq, now: Date()), nil)
            } catch {
                let message = "cannot read the outbox: \(error)"
                record(store, failure: message)
                return (machine.outboxFailed(now: Date(), jitter: jitter), message)
            }
        case .upload:
            let sentAt = Date()
            do {
                let ack = try client.upload(kiosk: options.kioskID, events: pending, sentAt: Self.iso(sentAt))
                let receivedAt = Date()
                let offset = Self.offsetMs(sentAt: sentAt, receivedAt: receivedAt, serverTime: ack.serverTime)
                try store.recordSyncSuccess(
                    ackedSeq: ack.ackedSeq, serverTime: ack.serverTime, deviceTime: Self.iso(receivedAt),
                    clockOffsetMs: offset)
                return (machine.uploadAcknowledged(ackedSeq: ack.ackedSeq, now: Date(), jitter: jitter), nil)
            } catch let e as SyncError {
                record(store, failure: e.description)
                switch e {
                case .transient(let m): return (machine.uploadFailed(.transient(m), now: Date(), jitter: jitter), m)
                case .refused(let m): return (machine.uploadFailed(.refused(m), now: Date(), jitter: jitter), m)
                }
            } catch {
                let message = "\(error)"
                record(store, failure: message)
                return (machine.uploadFailed(.transient(message), now: Date(), jitter: jitter), message)
            }
        }
    }

    private func record(_ store: EventStore, failure: String) {
        log("sync: \(failure)")
        try? store.recordSyncFailure(failure, at: Self.iso(Date()))
    }

    private func warnAboutBudget(_ store: EventStore) {
        guard let backlog = try? store.backlog() else { return }
        switch BacklogBudget.assess(backlogBytes: backlog.bytes, budgetBytes: options.diskBudgetBytes) {
        case .ok: break
        case .filling(let p):
            log("sync: the unsent backlog (\(backlog.count) events) fills \(p)% of its disk budget; bring the kiosk online")
        case .exceeded(let p):
            log("sync: the unsent backlog (\(backlog.count) events) is at \(p)% of its disk budget; nothing is dropped, but connect the kiosk to the centre now")
        }
    }

    private func sendHeartbeat(store: EventStore, client: CentralClient) {
        _ = try? client.heartbeat(heartbeatFields(store: store))
    }

    private func heartbeatFields(store: EventStore) -> [String: Any] {
        guard let state = try? store.syncState(), let backlog = try? store.backlog() else {
            return ["version": options.version]
        }
        var fields: [String: Any] = [
            "version": options.version, "uptimeSeconds": Int64(Date().timeIntervalSince(started)),
            "backlog": backlog.count, "configVersion": state.configVersion,
        ]
        if let v = backlog.oldestDeviceTime { fields["oldestUnsent"] = v }
        if let v = state.lastSuccessAt { fields["lastSuccess"] = v }
        if let v = state.lastError { fields["lastError"] = v }
        if let v = state.clockOffsetMs { fields["clockOffsetMs"] = v }
        let folder = (storePath as NSString).deletingLastPathComponent
        if let attrs = try? FileManager.default.attributesOfFileSystem(forPath: folder.isEmpty ? "." : folder),
            let free = attrs[.systemFreeSize] as? NSNumber
        {
            fields["diskFreeBytes"] = free.int64Value
        }
        return fields
    }

    static func iso(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    /// Server clock minus ours, from the round trip's midpoint (ms); nil when unparseable.
    public static func offsetMs(sentAt: Date, receivedAt: Date, serverTime: String) -> Int64? {
        guard let server = (try? Date(serverTime, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(serverTime, strategy: .iso8601))
        else { return nil }
        let midpoint = sentAt.addingTimeInterval(receivedAt.timeIntervalSince(sentAt) / 2)
        return Int64((server.timeIntervalSince(midpoint) * 1000).rounded())
    }
}
