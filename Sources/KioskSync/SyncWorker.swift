import Foundation
import KioskCentralClient
import KioskProtocol
import KioskStorage

/// The thin adapter around `SyncMachine`: its own thread, its own SQLite connection and its own
/// HTTP client, so a slow or absent centre never blocks the kiosk's screens (the daemon's poll
/// loop only calls `syncNow()`, which signals a semaphore). Also long-polls IT's commands on a
/// second thread and reports their outcome on a third.
public final class SyncWorker: @unchecked Sendable {
    public struct Options: Sendable {
        public var centralURL: String
        public var tokenFile: String
        /// The private CA of the centre (`ca-file`); nil: the system CA store.
        public var caFile: String?
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
            centralURL: String, tokenFile: String, caFile: String? = nil, kioskID: String, interval: TimeInterval = 60,
            batchSize: Int = 500, diskBudgetBytes: Int64 = Options.defaultDiskBudgetBytes, commandWait: Int = 25,
            version: String = "dev"
        ) {
            self.centralURL = centralURL
            self.tokenFile = tokenFile
            self.caFile = caFile
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

    /// What the worker hands to the daemon's loop thread.
    public enum Delivery: Equatable, Sendable {
        /// A command from IT that changes the kiosk (set-weather): perform it, then `acknowledge`.
        case command(id: Int64, KioskCommand)
        /// A newer published configuration; `commandID` is the reload-config that asked for it
        /// (acknowledge it with the outcome), nil when the periodic check found it.
        case configuration(ConfigReply, commandID: Int64?)
    }

    let storePath: String
    let options: Options
    let log: @Sendable (String) -> Void
    let deliver: @Sendable (Delivery) -> Void
    private let wake = DispatchSemaphore(value: 0)
    private let ackWake = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopping = false
    private let started = Date()
    /// The newest published version handed to the loop: the periodic check does not offer it
    /// again (a refused version is logged once, not every interval); reload-config does.
    private var offeredConfigVersion = 0
    /// `sync` commands waiting for the end of the drain they started.
    private var pendingSyncAcks: [Int64] = []
    /// Outcomes that could not be stored (the database refused them): sent from memory instead.
    private var unstoredAcks: [CommandOutcome] = []

    public init(
        storePath: String, options: Options, log: @escaping @Sendable (String) -> Void,
        deliver: @escaping @Sendable (Delivery) -> Void = { _ in }
    ) {
        self.storePath = storePath
        self.options = options
        self.log = log
        self.deliver = deliver
    }

    /// Starts the sync thread (and the command and acknowledgement threads when `commandWait > 0`).
    public func start() {
        let t = Thread { [self] in self.runForever() }
        t.name = "kiosk-sync"
        t.start()
        if options.commandWait > 0 {
            let c = Thread { [self] in self.pollCommands() }
            c.name = "kiosk-sync-commands"
            c.start()
            let a = Thread { [self] in self.sendAcknowledgements() }
            a.name = "kiosk-sync-acks"
            a.start()
        }
    }

    /// Reports a command's outcome to the centre (from any thread; sent on the ack thread). The
    /// outcome is stored first, so one reached while the centre is unreachable is still reported
    /// after a restart.
    public func acknowledge(command id: Int64, ok: Bool, message: String) {
        let outcome = CommandOutcome(commandID: id, ok: ok, message: message, recordedAt: Self.iso(Date()))
        do {
            let store = try EventStore(path: storePath)
            defer { store.close() }
            try store.recordCommandOutcome(outcome)
        } catch {
            log("sync: cannot store the outcome of command \(id) (\(error)); it is kept in memory until the centre has it")
            lock.lock()
            unstoredAcks.append(outcome)
            lock.unlock()
        }
        ackWake.signal()
    }

    func makeClient(timeout: TimeInterval = 30) throws -> CentralClient {
        CentralClient(
            baseURL: options.centralURL, token: try CentralClient.readToken(path: options.tokenFile), caFile: options.caFile,
            requestTimeout: timeout)
    }

    /// Ask for a sync now (IT's `sync` command, `kioskctl sync`); never blocks.
    public func syncNow() { wake.signal() }

    public func stop() {
        lock.lock()
        stopping = true
        lock.unlock()
        wake.signal()
        ackWake.signal()
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    // MARK: Loops

    private func runForever() {
        CentralClient.blockSIGPIPEOnThisThread()
        while !isStopping {
            do {
                let store = try EventStore(path: storePath)
                var client = try makeClient()
                var machine = SyncMachine(
                    settings: SyncMachine.Settings(batchSize: options.batchSize, interval: options.interval),
                    ackedSeq: try store.syncState().ackedSeq, now: Date())
                var action = machine.start()
                var lastHeartbeat = Date.distantPast
                var drainFailure: String?
                while !isStopping {
                    if case .wait(let until) = action {
                        acknowledgeSyncs(store: store, failure: drainFailure)
                        if Date().timeIntervalSince(lastHeartbeat) >= options.interval {
                            lastHeartbeat = Date()
                            // The heartbeat names the kiosk's site; then look for a newer
                            // published configuration (every interval, as well as on reload-config).
                            if let site = sendHeartbeat(store: store, client: client) {
                                checkConfig(client, site: site, after: max(runningConfigVersion(store), offeredVersion), commandID: nil)
                            }
                        }
                        let signalled = wake.wait(timeout: .now() + max(0, until.timeIntervalSinceNow)) == .success
                        if isStopping { return }
                        if machine.failures > 0, let fresh = try? makeClient() {
                            // IT may have issued a new token-file after a revocation: use it.
                            client = fresh
                        }
                        drainFailure = nil
                        action = (signalled ? machine.syncNow() : machine.timerFired(now: Date())) ?? .wait(until: until)
                        continue
                    }
                    let (next, failure) = step(action, machine: &machine, store: store, client: client)
                    if let failure { drainFailure = failure }
                    action = next
                }
                store.close()
            } catch {
                // Cannot open the store or read the token: say so, retry after an interval.
                log("sync: \(error)")
                acknowledgeSyncs(store: nil, failure: "\(error)")
                _ = wake.wait(timeout: .now() + options.interval)
            }
        }
    }

    /// A drain ended: report it to the `sync` commands that asked for it.
    private func acknowledgeSyncs(store: EventStore?, failure: String?) {
        lock.lock()
        let ids = pendingSyncAcks
        pendingSyncAcks = []
        lock.unlock()
        guard !ids.isEmpty else { return }
        var message = failure.map { "sync failed: \($0)" } ?? "synced"
        if failure == nil, let store, let state = try? store.syncState(), let backlog = try? store.backlog() {
            message = "synced: acknowledged through #\(state.ackedSeq), backlog \(backlog.count)"
        }
        for id in ids { acknowledge(command: id, ok: failure == nil, message: message) }
    }

    private var offeredVersion: Int {
        lock.lock()
        defer { lock.unlock() }
        return offeredConfigVersion
    }

    private func runningConfigVersion(_ store: EventStore?) -> Int {
        if let store { return (try? store.syncState().configVersion) ?? 0 }
        guard let reader = try? EventStore(readOnlyPath: storePath) else { return 0 }
        defer { reader.close() }
        return (try? reader.syncState().configVersion) ?? 0
    }

    /// Fetches the site's newest configuration if it is newer than `after` and hands it to the
    /// loop. Returns what happened, for a reload-config acknowledgement.
    @discardableResult
    private func checkConfig(_ client: CentralClient, site: String, after version: Int, commandID: Int64?) -> (handed: Bool, message: String) {
        do {
            guard let config = try client.config(site: site, after: version) else {
                return (false, "already running configuration version \(version); nothing newer is published for site \(site)")
            }
            lock.lock()
            offeredConfigVersion = max(offeredConfigVersion, config.version)
            lock.unlock()
            log("sync: configuration version \(config.version) published for site \(site)")
            deliver(.configuration(config, commandID: commandID))
            return (true, "")
        } catch {
            log("sync: cannot fetch the published configuration: \(error)")
            return (false, "cannot fetch the published configuration: \(error)")
        }
    }

    /// Long-polls IT's commands. `sync` wakes the sync thread (acknowledged when its drain
    /// ends), `reload-config` fetches the newest published version (acknowledged by the loop
    /// once applied or refused), anything else goes to the loop.
    private func pollCommands() {
        CentralClient.blockSIGPIPEOnThisThread()
        var failures = 0
        while !isStopping {
            do {
                let client = try makeClient(timeout: TimeInterval(options.commandWait + 15))
                for c in try client.commands(wait: options.commandWait) {
                    log("sync: command \(c.type)\(c.argument.map { " \($0)" } ?? "") from the centre")
                    switch c.parsed {
                    case .success(.sync):
                        lock.lock()
                        pendingSyncAcks.append(c.id)
                        lock.unlock()
                        syncNow()
                    case .success(.reloadConfig):
                        let running = runningConfigVersion(nil)
                        do {
                            let site = try client.heartbeat(heartbeat(store: nil)).site
                            let (handed, message) = checkConfig(client, site: site, after: running, commandID: c.id)
                            if !handed { acknowledge(command: c.id, ok: !message.hasPrefix("cannot"), message: message) }
                        } catch {
                            acknowledge(command: c.id, ok: false, message: "cannot fetch the published configuration: \(error)")
                        }
                    case .success(let command):
                        deliver(.command(id: c.id, command))
                    case .failure(let refusal):
                        acknowledge(command: c.id, ok: false, message: "\(refusal.message); this kiosk knows \(KioskCommand.sentence(KioskCommand.Kind.allCases.map(\.rawValue), or: "and")) (update the kiosk)")
                    }
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

    /// Sends the stored command outcomes (at start too: those a restart left unreported), and
    /// forgets each once the centre has it; while the centre is unreachable they wait, backing off.
    private func sendAcknowledgements() {
        CentralClient.blockSIGPIPEOnThisThread()
        var failures = 0
        while !isStopping {
            if reportOutcomes() { failures = 0 } else { failures += 1 }
            let delay = failures == 0 ? 60 : SyncMachine.backoffDelay(failures: failures, base: 1, cap: 60, jitter: Double.random(in: 0.5..<1))
            _ = ackWake.wait(timeout: .now() + delay)
        }
    }

    /// Sends every unreported outcome, oldest first; false when the centre could not be reached.
    private func reportOutcomes() -> Bool {
        lock.lock()
        var inMemory = unstoredAcks
        unstoredAcks = []
        lock.unlock()
        defer {
            lock.lock()
            unstoredAcks = inMemory + unstoredAcks
            lock.unlock()
        }
        while let outcome = inMemory.first {
            guard report(outcome) else { return false }
            inMemory.removeFirst()
        }
        guard let store = try? EventStore(path: storePath) else { return true }
        defer { store.close() }
        for outcome in (try? store.unreportedCommandOutcomes()) ?? [] {
            guard report(outcome) else { return false }
            try? store.removeCommandOutcome(commandID: outcome.commandID)
        }
        return true
    }

    /// Sends one outcome; false when the centre could not be reached (a refusal is final: logged).
    private func report(_ outcome: CommandOutcome) -> Bool {
        do {
            try makeClient().acknowledge(command: outcome.commandID, CommandAckRequest(ok: outcome.ok, message: outcome.message))
        } catch let e as SyncError where !e.isTransient {
            log("sync: the centre refused the outcome of command \(outcome.commandID): \(e.message)")
        } catch {
            return false
        }
        return true
    }

    /// Drains the outbox once (until caught up or the first failure) on the calling thread.
    public func drain() -> Report {
        CentralClient.blockSIGPIPEOnThisThread()
        do {
            let store = try EventStore(path: storePath)
            defer { store.close() }
            let client = try makeClient()
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
                let ack = try client.upload(
                    UploadRequest(kiosk: options.kioskID, sentAt: Self.iso(sentAt), events: try pending.map(Self.uploadEvent)))
                let receivedAt = Date()
                let offset = Self.offsetMs(sentAt: sentAt, receivedAt: receivedAt, serverTime: ack.serverTime)
                try store.recordSyncSuccess(
                    ackedSeq: ack.ackedSeq, serverTime: ack.serverTime, deviceTime: Self.iso(receivedAt),
                    clockOffsetMs: offset)
                return (machine.uploadAcknowledged(ackedSeq: ack.ackedSeq, now: Date(), jitter: jitter), nil)
            } catch let e as SyncError {
                record(store, failure: e.message)
                let failure: SyncMachine.Failure = e.isTransient ? .transient(e.message) : .refused(e.message)
                return (machine.uploadFailed(failure, now: Date(), jitter: jitter), e.message)
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

    /// Sends a heartbeat; returns the kiosk's site as the centre names it. A failed heartbeat is
    /// recorded as the last error, so status shows it even when there was nothing to upload.
    @discardableResult
    private func sendHeartbeat(store: EventStore, client: CentralClient) -> String? {
        do {
            return try client.heartbeat(heartbeat(store: store)).site
        } catch {
            record(store, failure: "heartbeat: \(error)")
            return nil
        }
    }

    /// The heartbeat from `store` (nil: a read-only connection of its own).
    private func heartbeat(store: EventStore?) -> Heartbeat {
        let reader = store == nil ? try? EventStore(readOnlyPath: storePath) : nil
        defer { reader?.close() }
        guard let store = store ?? reader, let state = try? store.syncState(), let backlog = try? store.backlog() else {
            return Heartbeat(version: options.version)
        }
        var beat = Heartbeat(
            version: options.version, uptimeSeconds: Int64(Date().timeIntervalSince(started)), backlog: backlog.count,
            oldestUnsent: backlog.oldestDeviceTime, lastSuccess: state.lastSuccessAt, lastError: state.lastError,
            configVersion: state.configVersion, clockOffsetMs: state.clockOffsetMs)
        let folder = (storePath as NSString).deletingLastPathComponent
        if let attrs = try? FileManager.default.attributesOfFileSystem(forPath: folder.isEmpty ? "." : folder),
            let free = attrs[.systemFreeSize] as? NSNumber
        {
            beat.diskFreeBytes = free.int64Value
        }
        return beat
    }

    /// An outbox row as the protocol carries it: the stored event JSON becomes the payload.
    static func uploadEvent(_ e: OutboxEvent) throws(SyncError) -> UploadEvent {
        do {
            let payload = try JSONDecoder().decode(JSONValue.self, from: Data(e.payload.utf8))
            return UploadEvent(seq: e.seq, type: e.type, deviceTime: e.deviceTime, payload: payload)
        } catch {
            throw SyncError(
                .badOutbox,
                "event #\(e.seq) in the outbox is not valid JSON and cannot be sent; the kiosk's event log is damaged: keep a copy of kiosk.sqlite and ask IT",
                cause: .decoding("\(error)"))
        }
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
