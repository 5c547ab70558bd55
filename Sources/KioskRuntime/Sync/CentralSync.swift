#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskCore
import KioskProtocol
import KioskStorage
import KioskSync

/// Wires the central sync worker into kioskd and kioskctl. Sync is off unless `[kiosk]` has
/// `central-url`; the worker then runs on its own threads. The daemon wakes it after every
/// stored event (so the event leaves within a second when the centre answers), and it hands
/// IT's commands to the poll loop through a locked inbox whose pipe wakes the loop, so the
/// screens never wait for the network and commands never wait for a timer.
public final class CentralSync {
    let worker: SyncWorker

    /// Starts sync for a daemon when configured; nil (and a log line) otherwise.
    public static func start(
        setup: KioskSetup, stateDirectory: String, operations: DaemonOperations, loop: PollLoop
    ) -> CentralSync? {
        let config = setup.configuration
        guard let options = workerOptions(config) else {
            Log.info("central sync: off (no central-url in [kiosk])")
            return nil
        }
        checkCAFile(config)
        // The version running now: the stored published one, or 0 (the local kiosk.conf).
        try? operations.service.store.recordConfigVersion(setup.publishedVersion)
        let inbox = DeliveryInbox()
        let worker = SyncWorker(
            storePath: EventStore.defaultPath(stateDirectory: stateDirectory), options: options,
            log: { Log.info($0) }, deliver: { inbox.push($0) })
        let sync = CentralSync(worker: worker)
        operations.onSync = { [worker] in
            worker.syncNow()
            return .ok("sync requested")
        }
        // Stored events go to the centre now, not at the next interval: the worker wakes on its pipe.
        operations.service.addAdapter { [worker] output in
            if output.syncNow { worker.eventsStored() }
            return []
        }
        // IT's set-weather and published configurations run on the loop's thread, like a key press.
        loop.addReader(fd: inbox.wake.readFD) { [unowned operations] in
            inbox.wake.drain()
            for delivery in inbox.take() {
                switch delivery {
                case .configuration(let published, let commandID):
                    let (ok, message) = applyPublished(published, operations: operations, stateDirectory: stateDirectory)
                    if let commandID { worker.acknowledge(command: commandID, ok: ok, message: message) }
                case .command(let id, let command):
                    let (ok, message) = perform(command, operations: operations)
                    worker.acknowledge(command: id, ok: ok, message: message)
                case .casesPulled(let states, let asOf):
                    // Already stored with their cursor by the worker; the machine keeps the newer version of each.
                    operations.service.handle(.casesPulled(states, asOf: asOf))
                case .logReplaced(let reason):
                    operations.service.refuseReplacedLog(reason)
                }
            }
        }
        worker.start()
        Log.info("central sync: on, \(options.centralURL) every \(Int(options.interval)) s\(options.caFile.map { ", trusting the CA in \($0)" } ?? "")")
        return sync
    }

    private init(worker: SyncWorker) { self.worker = worker }

    public func stop() { worker.stop() }

    /// An IT command that changes the kiosk, on the loop's thread; returns its outcome.
    static func perform(_ command: KioskCommand, operations: DaemonOperations) -> (Bool, String) {
        switch command {
        case .setWeather(let weather):
            operations.service.handle(.setWeather(weather, at: Date()))
            if let problem = operations.service.storageProblem { return (false, "not stored: \(problem)") }
            return (true, "weather is \(operations.service.machine.state.weather.rawValue)")
        case .sync, .reloadConfig:
            // Carried out by the sync worker itself; never handed to the loop.
            return (false, "\(command.kind.rawValue) is carried out by the sync worker, not the daemon's loop")
        }
    }

    /// Applies a configuration version published by IT, all or nothing, on the loop's thread:
    /// this kiosk's own identity, sync keys and hardware stay; a text with errors is refused and
    /// logged, and the running configuration stays. An applied version is stored in the state
    /// folder (atomically) for the next start and recorded as running (`kioskctl status`,
    /// heartbeat). Returns the outcome for IT's reload-config.
    static func applyPublished(
        _ c: ConfigReply, operations: DaemonOperations, stateDirectory: String
    ) -> (Bool, String) {
        let service = operations.service
        let running = service.setup.publishedVersion
        let published = PublishedConfiguration(version: c.version, body: c.body)
        // Applied over the local file as loaded now, not over the previous published version.
        let base: KioskSetup
        switch KioskSetup.load(configPath: operations.options.configPath, assets: operations.options.assets) {
        case .success(let s): base = s
        case .failure: base = service.setup
        }
        switch published.applied(to: base) {
        case .failure(let errors):
            let lines = errors.errors.map(\.description)
            Log.error("central sync: configuration version \(c.version) refused, version \(running) keeps running:\n" + lines.joined(separator: "\n"))
            return (false, "configuration version \(c.version) refused, version \(running) keeps running: " + lines.prefix(5).joined(separator: "; "))
        case .success(var setup):
            if let l = operations.options.language { setup.configuration.language = l }
            do {
                try service.reload(setup, now: Date())
            } catch {
                Log.error("central sync: configuration version \(c.version) not applied, version \(running) keeps running: \(error)")
                return (false, "configuration version \(c.version) not applied: \(error)")
            }
            do {
                try published.save(stateDirectory: stateDirectory)
            } catch {
                Log.error("central sync: running configuration version \(c.version), but it could not be stored for the next start: \(error)")
            }
            try? service.store.recordConfigVersion(c.version)
            Log.notice("central sync: now running configuration version \(c.version)")
            return (true, "now running configuration version \(c.version)")
        }
    }

    static func workerOptions(_ config: Configuration) -> SyncWorker.Options? {
        guard let url = config.centralURL else { return nil }
        return SyncWorker.Options(
            centralURL: url, tokenFile: config.syncTokenFile ?? "/etc/kiosk/central.token", caFile: config.syncCAFile,
            kioskID: config.kioskID, interval: TimeInterval(config.syncIntervalSeconds), batchSize: config.syncBatchSize,
            diskBudgetBytes: Int64(config.syncDiskBudgetMiB) * 1024 * 1024)
    }

    /// Says at start when `ca-file` cannot serve: unreadable, or holding no PEM certificate.
    static func checkCAFile(_ config: Configuration) {
        guard let ca = config.syncCAFile else { return }
        if config.centralURL?.hasPrefix("http://") == true {
            Log.notice("central sync: ca-file \(ca) is not used: central-url is http://")
        }
        guard let pem = try? String(contentsOfFile: ca, encoding: .utf8) else {
            Log.error("central sync: cannot read ca-file \(ca); check the path and that kioskd may read it, or HTTPS to the centre will fail")
            return
        }
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            Log.error("central sync: ca-file \(ca) holds no PEM certificate (-----BEGIN CERTIFICATE-----); ask IT for the centre's CA file")
        }
    }

    // MARK: kioskctl

    /// `kioskctl sync`: asks the running daemon to sync and waits for the outcome; without a
    /// reachable daemon, drains the outbox itself. Prints what was sent and what is left.
    static func syncCommand(
        setup: KioskSetup, stateDirectory: String, socketPath: String, output: (String) -> Void
    ) throws {
        guard let options = workerOptions(setup.configuration) else {
            throw ControlCommand.Failure(
                description: "central sync is off: set central-url (and token-file) in [kiosk] of kiosk.conf", code: 78)
        }
        let path = EventStore.defaultPath(stateDirectory: stateDirectory)
        if let r = try? ControlClient.send(.sync, socketPath: socketPath, timeoutSeconds: 2), r.ok {
            let reader = try EventStore(readOnlyPath: path)
            defer { reader.close() }
            let before = try reader.syncState()
            let deadline = Date().addingTimeInterval(60)
            var state = before
            // kioskd's worker drains in another process: look at the shared database five
            // times a second (a pipe nobody writes is a wait that nothing can cut short).
            let pause = WakePipe()
            while Date() < deadline {
                state = try reader.syncState()
                if try reader.backlog().count == 0 { break }
                if state.lastError != nil && state.lastErrorAt != before.lastErrorAt { break }
                pause.wait(timeout: 0.2)
            }
            let backlog = try reader.backlog()
            output("sync (by kioskd): sent \(state.ackedSeq - before.ackedSeq) events; acknowledged through #\(state.ackedSeq); backlog \(backlog.count)\n")
            if backlog.count > 0, let e = state.lastError {
                throw ControlCommand.Failure(description: "sync failed: \(e)", code: 1)
            }
            return
        }
        // Never send from a file kioskd would refuse (damaged, emptied, behind its mark): the
        // centre would get seq numbers a second time. An older schema is upgraded, and a missing
        // file (never started, no mark) made, by the worker as before.
        do { try EventStore(readOnlyPath: path).close() } catch let e as StorageError where e.kind != .olderSchema && e.kind != .missingFile {
            throw ControlCommand.Failure(description: "not synced: \(e)", code: 65)
        }
        let report = SyncWorker(storePath: path, options: options, log: { _ in }).drain()
        output("sync: sent \(report.sent) events; acknowledged through #\(report.ackedSeq); backlog \(report.backlog)\n")
        if let through = report.casesThrough { output("case states pulled through change #\(through) (kioskctl cases)\n") }
        if let e = report.casesError { output("case states not pulled: \(e)\n") }
        if let e = report.error { throw ControlCommand.Failure(description: "sync failed: \(e)", code: 1) }
    }

    /// The sync lines of `kioskctl status`.
    static func statusText(_ store: EventStore, _ setup: KioskSetup) -> String {
        let config = setup.configuration
        guard let url = config.centralURL else { return "\nSync: off (no central-url in [kiosk])\n" }
        guard let state = try? store.syncState(), let backlog = try? store.backlog() else {
            return "\nSync: state not readable (start kioskd once to upgrade the file)\n"
        }
        var text = "\nSync: \(url)\n"
        text += "  backlog \(backlog.count) events (\(backlog.bytes / 1024) KiB)"
        text += backlog.oldestDeviceTime.map { ", oldest unsent \($0)" } ?? ""
        switch BacklogBudget.assess(backlogBytes: backlog.bytes, budgetBytes: Int64(config.syncDiskBudgetMiB) * 1024 * 1024) {
        case .ok: break
        case .filling(let p): text += "; WARNING: \(p)% of the disk budget, bring the kiosk online"
        case .exceeded(let p): text += "; WARNING: \(p)% of the disk budget (nothing is dropped), connect the kiosk now"
        }
        text += "\n  acknowledged through #\(state.ackedSeq); last success \(state.lastSuccessAt ?? "never")\n"
        if let e = state.lastError { text += "  last error \(state.lastErrorAt ?? ""): \(e)\n" }
        if let waiting = try? store.unreportedCommandOutcomes(), !waiting.isEmpty {
            text += "  \(waiting.count) command outcome(s) not yet reported to the centre (oldest \(waiting[0].recordedAt))\n"
        }
        if let asOf = try? store.pulledCasesAsOf(), let count = try? store.pulledCases().count, let cursor = try? store.pulledCasesCursor() {
            text += "  case states: \(count) pulled through change #\(cursor), as of \(LocalCalendar(config).dateTime(asOf)) (kioskctl cases)\n"
        } else {
            text += "  case states: not pulled from the centre yet\n"
        }
        text += "  configuration version \(state.configVersion)"
        text += state.configVersion > 0 ? " (published by the centre, kept in \(PublishedConfiguration.fileName))" : " (the local kiosk.conf)"
        if let problem = setup.publishedProblem { text += "\n  WARNING: \(problem.split(separator: "\n").joined(separator: "; "))" }
        text += state.clockOffsetMs.map { "; clock offset \($0) ms (centre minus kiosk)" } ?? ""
        return text + "\n"
    }
}

/// IT's commands, published configurations and pulled case states handed from the sync threads
/// to the poll loop, which `wake` wakes.
final class DeliveryInbox: @unchecked Sendable {
    private let lock = Lock()
    private var items: [SyncWorker.Delivery] = []
    let wake = WakePipe()
    func push(_ c: SyncWorker.Delivery) {
        lock.lock()
        items.append(c)
        lock.unlock()
        wake.signal()
    }
    func take() -> [SyncWorker.Delivery] {
        lock.lock()
        defer { lock.unlock() }
        let out = items
        items = []
        return out
    }
}
