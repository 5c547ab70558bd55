import Foundation
import KioskCore
import KioskStorage
import KioskSync

/// Wires the central sync worker into kioskd and kioskctl. Sync is off unless `[kiosk]` has
/// `central-url`; the worker then runs on its own threads and only talks to the poll loop through
/// a locked inbox drained by a loop timer, so the screens never wait for the network.
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
        let inbox = CommandInbox()
        let worker = SyncWorker(
            storePath: EventStore.defaultPath(stateDirectory: stateDirectory), options: options,
            log: { Log.info($0) }, onCommand: { inbox.push($0) })
        let sync = CentralSync(worker: worker)
        operations.onSync = { [worker] in
            worker.syncNow()
            return .ok("sync requested")
        }
        // IT's reload-config and set-weather run on the loop's thread, like a key press.
        loop.every(0.5) { [unowned operations] in
            for c in inbox.take() {
                switch c.type {
                case "reload-config": break  // the worker fetches the published version, then apply-config
                case "apply-config": applyPublished(c, operations: operations)
                case "set-weather":
                    if let w = c.argument.flatMap(Weather.init(rawValue:)) {
                        operations.service.handle(.setWeather(w, at: Date()))
                    }
                default: break
                }
            }
        }
        worker.start()
        Log.info("central sync: on, \(options.centralURL) every \(Int(options.interval)) s")
        return sync
    }

    private init(worker: SyncWorker) { self.worker = worker }

    public func stop() { worker.stop() }

    /// Applies a configuration version published by IT, all or nothing, on the loop's thread:
    /// this kiosk's own identity and sync keys stay; a text with errors is refused and logged,
    /// and the running configuration stays. The version applied is recorded (`kioskctl status`).
    static func applyPublished(_ c: CentralClient.Command, operations: DaemonOperations) {
        let version = Int(c.id)
        let service = operations.service
        guard let text = c.argument else { return }
        switch ConfigurationParser.parse(text, file: "central configuration v\(version)") {
        case .failure(let errors):
            Log.error("central sync: configuration version \(version) refused, the running one stays:\n"
                + errors.errors.map(\.description).joined(separator: "\n"))
        case .success(var published):
            var setup = service.setup
            let local = setup.configuration
            published.kioskID = local.kioskID
            published.centralURL = local.centralURL
            published.syncTokenFile = local.syncTokenFile
            published.syncCAFile = local.syncCAFile
            published.syncIntervalSeconds = local.syncIntervalSeconds
            setup.configuration = published
            do {
                try service.reload(setup, now: Date())
                try service.store.recordConfigVersion(version)
                Log.notice("central sync: now running configuration version \(version)")
            } catch {
                Log.error("central sync: configuration version \(version) not applied: \(error)")
            }
        }
    }

    static func workerOptions(_ config: Configuration) -> SyncWorker.Options? {
        guard let url = config.centralURL else { return nil }
        // KIOSK_SYNC_BATCH_SIZE: events per upload (default 500; the proof uses small batches).
        let batch = ProcessInfo.processInfo.environment["KIOSK_SYNC_BATCH_SIZE"].flatMap(Int.init).map { min(max($0, 1), 1000) }
        return SyncWorker.Options(
            centralURL: url, tokenFile: config.syncTokenFile ?? "/etc/kiosk/central.token", kioskID: config.kioskID,
            interval: TimeInterval(config.syncIntervalSeconds), batchSize: batch ?? 500)
    }

    /// URLSession on Linux verifies the centre against the system CA store only: a private CA
    /// given as `ca-file` must be installed there (update-ca-certificates). Say so when it is not.
    static func checkCAFile(_ config: Configuration) {
        guard let ca = config.syncCAFile else { return }
        guard let pem = try? String(contentsOfFile: ca, encoding: .utf8) else {
            Log.error("central sync: cannot read ca-file \(ca); check the path")
            return
        }
        let bundle = (try? String(contentsOfFile: "/etc/ssl/certs/ca-certificates.crt", encoding: .utf8)) ?? ""
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        if !bundle.split(separator: "\n").filter({ !$0.hasPrefix("-----") }).joined().contains(body) {
            Log.error("central sync: ca-file \(ca) is not in the system CA store; copy it to /usr/local/share/ca-certificates/ and run update-ca-certificates, or HTTPS to the centre will fail")
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
            while Date() < deadline {
                state = try reader.syncState()
                if try reader.backlog().count == 0 { break }
                if state.lastError != nil && state.lastErrorAt != before.lastErrorAt { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            let backlog = try reader.backlog()
            output("sync (by kioskd): sent \(state.ackedSeq - before.ackedSeq) events; acknowledged through #\(state.ackedSeq); backlog \(backlog.count)\n")
            if backlog.count > 0, let e = state.lastError {
                throw ControlCommand.Failure(description: "sync failed: \(e)", code: 1)
            }
            return
        }
        let report = SyncWorker(storePath: path, options: options, log: { _ in }).drain()
        output("sync: sent \(report.sent) events; acknowledged through #\(report.ackedSeq); backlog \(report.backlog)\n")
        if let e = report.error { throw ControlCommand.Failure(description: "sync failed: \(e)", code: 1) }
    }

    /// The sync lines of `kioskctl status`.
    static func statusText(_ store: EventStore, _ config: Configuration) -> String {
        guard let url = config.centralURL else { return "\nSync: off (no central-url in [kiosk])\n" }
        guard let state = try? store.syncState(), let backlog = try? store.backlog() else {
            return "\nSync: state not readable (start kioskd once to upgrade the file)\n"
        }
        var text = "\nSync: \(url)\n"
        text += "  backlog \(backlog.count) events (\(backlog.bytes / 1024) KiB)"
        text += backlog.oldestDeviceTime.map { ", oldest unsent \($0)" } ?? ""
        switch BacklogBudget.assess(backlogBytes: backlog.bytes, budgetBytes: SyncWorker.Options.defaultDiskBudgetBytes) {
        case .ok: break
        case .filling(let p): text += "; WARNING: \(p)% of the disk budget, bring the kiosk online"
        case .exceeded(let p): text += "; WARNING: \(p)% of the disk budget (nothing is dropped), connect the kiosk now"
        }
        text += "\n  acknowledged through #\(state.ackedSeq); last success \(state.lastSuccessAt ?? "never")\n"
        if let e = state.lastError { text += "  last error \(state.lastErrorAt ?? ""): \(e)\n" }
        text += "  configuration version \(state.configVersion)"
        text += state.clockOffsetMs.map { "; clock offset \($0) ms (centre minus kiosk)" } ?? ""
        return text + "\n"
    }
}

/// IT's commands handed from the sync thread to the poll loop.
final class CommandInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [CentralClient.Command] = []
    func push(_ c: CentralClient.Command) {
        lock.lock()
        items.append(c)
        lock.unlock()
    }
    func take() -> [CentralClient.Command] {
        lock.lock()
        defer { lock.unlock() }
        let out = items
        items = []
        return out
    }
}
