#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem
import KioskCentralClient
import KioskProtocol
import KioskStorage

/// # The sync driver: one thread carries out what the machines decide
///
/// The decisions live in small pure machines fed by an injected clock: `SyncMachine` (the
/// outbox), `CommandPoller` (IT's commands, and `sync` commands waiting for their drain),
/// `OutcomeQueue` (command outcomes on their way), `HeartbeatMachine`, `ConfigCheck` and
/// `CasePull` (the site's case states, pulled after each caught-up drain and each sync). This
/// class only performs their actions (SQLite through its own connection, HTTP through
/// `CentralClient`) and feeds the results back, on one thread of its own, so a slow or absent
/// centre never blocks the kiosk's screens. Between rounds it waits on a `WakePipe` until the
/// machines' earliest deadline: `eventsStored()`, `syncNow()`, an acknowledged command and an
/// answered long-poll each wake it at once, so an event reaches a reachable centre within a
/// second of being stored. The long-poll for commands blocks for up to `commandWait` seconds,
/// so it alone runs on a second thread (`LongPollTransport`), which decides nothing.
///
/// Tests call `runUntilIdle()` instead of `start()`: the same rounds on the calling thread (the
/// long-poll inline, once per round), with a `VirtualClock` they advance instead of sleeping.
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
        /// The case pull that followed: the stored cursor, or why the states could not be pulled.
        public var casesThrough: Int64? = nil
        public var casesError: String? = nil
    }

    /// What the worker hands to the daemon's loop thread.
    public enum Delivery: Equatable, Sendable {
        /// A command from IT that changes the kiosk (set-weather): perform it, then `acknowledge`.
        case command(id: Int64, KioskCommand)
        /// A newer published configuration; `commandID` is the reload-config that asked for it
        /// (acknowledge it with the outcome), nil when the periodic check found it.
        case configuration(ConfigReply, commandID: Int64?)
        /// Case states from the centre, already stored with their cursor; `asOf` is when they
        /// were pulled. The daemon feeds them to its machine (`KioskInput.casesPulled`).
        case casesPulled([CaseState], asOf: Date)
        /// The centre holds this kiosk's events above the local log's last (`LineageCheck`): the
        /// state folder was replaced; the daemon stops giving tickets and logs `reason`.
        case logReplaced(reason: String)
    }

    /// What other threads tell the driver (through `inbox` and the wake pipe).
    enum Message {
        case syncNow, eventsStored, outcomeRecorded
        case commands(Result<[Command], SyncError>)
    }

    /// One action of one machine, in the order the driver carries them out.
    enum Work {
        case outbox(SyncMachine.Action)
        case poller(CommandPoller.Action)
        case outcomes(OutcomeQueue.Action)
        case heartbeat(HeartbeatMachine.Action)
        case config(ConfigCheck.Action)
        case cases(CasePull.Action)
        case lineage(LineageCheck.Action)
    }

    let storePath: String
    let options: Options
    let log: @Sendable (String) -> Void
    let deliver: @Sendable (Delivery) -> Void
    let clock: SyncClock
    let wake = WakePipe()

    // Shared with other threads, under `lock`.
    private let lock = Lock()
    private var inbox: [Message] = []
    private var stopping = false
    /// Outcomes the database refused to store: sent from memory instead.
    private var unstoredOutcomes: [CommandOutcome] = []

    // The driver thread's own (or the test's, through `runUntilIdle`).
    var store: EventStore?
    var storeRetryAt: Date?
    var outbox: SyncMachine?
    var poller: CommandPoller
    var outcomes = OutcomeQueue()
    var heartbeat: HeartbeatMachine
    var configCheck = ConfigCheck()
    var cases: CasePull?
    var lineage: LineageCheck?
    /// The last upload was refused with 409 seq-conflict (`LineageCheck.conflictReported`).
    var conflictSeen = false
    /// A failed lineage question was logged (once until one succeeds).
    var lineageFailureLogged = false
    /// A `sync` (IT's command or `kioskctl sync`) asked for a pull after the drain it started.
    var pullAsked = false
    /// The last hand-over of call-back numbers failed (logged once until it works again).
    var contactsFailing = false
    /// The batch read for the upload in progress.
    var pending: [OutboxEvent] = []
    /// Why the drain in progress stopped, for the `sync` commands waiting for it.
    var drainFailure: String?
    let started: Date
    private var transport: LongPollTransport?
    /// Without a transport thread (`runUntilIdle` from a test): the long-poll asked for, made
    /// inline at the start of the next round, so each round polls at most once.
    private var inlinePoll: Int?

    public init(
        storePath: String, options: Options, log: @escaping @Sendable (String) -> Void,
        deliver: @escaping @Sendable (Delivery) -> Void = { _ in }, clock: SyncClock = .system
    ) {
        self.storePath = storePath
        self.options = options
        self.log = log
        self.deliver = deliver
        self.clock = clock
        started = clock.now()
        poller = CommandPoller(wait: options.commandWait, backoffCap: options.interval)
        heartbeat = HeartbeatMachine(interval: options.interval, now: started)
    }

    // MARK: From any thread

    /// Starts the driver thread (and the long-poll transport thread when `commandWait > 0`).
    public func start() {
        if options.commandWait > 0 {
            transport = LongPollTransport { [self] wait in
                post(.commands(Result { () throws(SyncError) in try makeClient(timeout: TimeInterval(wait + 15)).commands(wait: wait) }))
            }
        }
        Posix.startThread(name: "kiosk-sync") { [self] in
            CentralClient.blockSIGPIPEOnThisThread()
            while !isStopping {
                runUntilIdle()
                let now = clock.now()
                wake.wait(timeout: nextDeadline.map { max(0, $0.timeIntervalSince(now)) })
            }
            store?.close()
            store = nil
        }
    }

    /// Ask for a sync now (IT's `sync` command, `kioskctl sync`); never blocks.
    public func syncNow() { post(.syncNow) }

    /// The daemon stored events: send them now if the centre is answering; never blocks.
    public func eventsStored() { post(.eventsStored) }

    /// Reports a command's outcome to the centre (from any thread). The outcome is stored first,
    /// on the calling thread, so one reached while the centre is unreachable is still reported
    /// after a restart.
    public func acknowledge(command id: Int64, ok: Bool, message: String) {
        let outcome = CommandOutcome(commandID: id, ok: ok, message: message, recordedAt: Self.iso(clock.now()))
        do {
            let store = try EventStore(path: storePath)
            defer { store.close() }
            try store.recordCommandOutcome(outcome)
        } catch {
            log("sync: cannot store the outcome of command \(id) (\(error)); it is kept in memory until the centre has it")
            lock.withLock { unstoredOutcomes.append(outcome) }
        }
        post(.outcomeRecorded)
    }

    public func stop() {
        lock.withLock { stopping = true }
        transport?.stop()
        wake.signal()
    }

    var isStopping: Bool { lock.withLock { stopping } }

    private func post(_ message: Message) {
        lock.withLock { inbox.append(message) }
        wake.signal()
    }

    // MARK: The driver

    /// Carries out everything that is due at the clock's present time: messages from other
    /// threads, then each machine's deadline, until nothing is left; returns without waiting.
    public func runUntilIdle() {
        guard let store = openStore() else { return }
        var queue: [Work] = []
        if outbox == nil {
            let now = clock.now()
            let acked = (try? store.syncState().ackedSeq) ?? 0
            var machine = SyncMachine(
                settings: SyncMachine.Settings(batchSize: options.batchSize, interval: options.interval), ackedSeq: acked, now: now)
            queue.append(.outbox(machine.start()))
            outbox = machine
            cases = CasePull(cursor: (try? store.pulledCasesCursor()) ?? 0, backoffCap: max(options.interval, 1))
            var check = LineageCheck(everAcknowledged: acked > 0, now: now, retryInterval: max(options.interval, 1))
            queue += check.tick(now: now).map(Work.lineage)
            lineage = check
            queue += poller.start(now: now).map(Work.poller) + outcomes.start(now: now).map(Work.outcomes)
        }
        if let wait = inlinePoll {
            inlinePoll = nil
            let result = Result { () throws(SyncError) in try makeClient(timeout: TimeInterval(wait + 15)).commands(wait: wait) }
            queue += receive(.commands(result))
        }
        while true {
            queue += lock.withLock { () -> [Message] in
                defer { inbox = [] }
                return inbox
            }.flatMap(receive)
            let now = clock.now()
            if queue.isEmpty, let due = outbox?.deadline, due <= now, let action = outbox?.timerFired(now: now) {
                queue.append(.outbox(action))
            }
            if queue.isEmpty {
                queue += poller.tick(now: now).map(Work.poller) + outcomes.tick(now: now).map(Work.outcomes)
                    + heartbeat.tick(now: now).map(Work.heartbeat) + (cases?.tick(now: now) ?? []).map(Work.cases)
                    + (lineage?.tick(now: now) ?? []).map(Work.lineage)
            }
            if queue.isEmpty || isStopping { return }
            // What an action leads to goes to the back: a long drain does not hold up IT's
            // commands, which come in between its batches.
            let work = queue.removeFirst()
            queue += perform(work, store: store)
        }
    }

    /// The earliest time any machine wants to be ticked.
    var nextDeadline: Date? {
        [outbox?.deadline, poller.deadline, outcomes.deadline, heartbeat.deadline, cases?.deadline, lineage?.deadline, storeRetryAt]
            .compactMap { $0 }.min()
    }

    private func openStore() -> EventStore? {
        if let store { return store }
        let now = clock.now()
        if let storeRetryAt, now < storeRetryAt { return nil }
        do {
            store = try EventStore(path: storePath)
            storeRetryAt = nil
            return store
        } catch {
            // Cannot open the database: say so, fail the syncs waiting, retry after an interval.
            log("sync: \(error)")
            for case .acknowledge(let id, let ok, let message) in poller.drainEnded(failure: "\(error)", summary: nil) {
                acknowledge(command: id, ok: ok, message: message)
            }
            storeRetryAt = now.addingTimeInterval(options.interval)
            return nil
        }
    }

    private func receive(_ message: Message) -> [Work] {
        let now = clock.now()
        switch message {
        case .syncNow:
            pullAsked = true
            return outbox?.syncNow().map { [.outbox($0)] } ?? []
        case .eventsStored: return outbox?.eventsAppended().map { [.outbox($0)] } ?? []
        case .outcomeRecorded: return outcomes.outcomeRecorded(now: now).map(Work.outcomes)
        case .commands(.success(let commands)): return poller.commandsArrived(commands, now: now).map(Work.poller)
        case .commands(.failure): return poller.pollFailed(now: now, jitter: clock.jitter()).map(Work.poller)
        }
    }

    /// Carries out one action; returns what the machine that got its result asks for next.
    private func perform(_ work: Work, store: EventStore) -> [Work] {
        switch work {
        case .outbox(.wait):
            // A drain ended: the `sync` commands that asked for it learn how, and the case
            // states are pulled (after a sync whatever its outcome; otherwise when caught up).
            defer { drainFailure = nil }
            var next = pullAfterDrain().map(Work.cases)
            if !poller.awaitingDrain.isEmpty {
                next += poller.drainEnded(failure: drainFailure, summary: drainFailure == nil ? drainSummary(store) : nil).map(Work.poller)
            }
            return next
        case .outbox(let action):
            guard var machine = outbox else { return [] }
            let (next, failure) = step(action, machine: &machine, store: store)
            outbox = machine
            if let failure { drainFailure = failure }
            var more: [Work] = []
            if conflictSeen, var check = lineage {
                conflictSeen = false
                more = check.conflictReported(now: clock.now()).map(Work.lineage)
                lineage = check
            }
            return [.outbox(next)] + more

        case .poller(.longPoll(let wait)):
            if let transport { transport.request(wait: wait) } else { inlinePoll = wait }
            return []
        case .poller(.syncNow):
            pullAsked = true
            return outbox?.syncNow().map { [.outbox($0)] } ?? []
        case .poller(.reloadConfig(let id)): return configCheck.reloadRequested(commandID: id).map(Work.config)
        case .poller(.deliver(let id, let command)):
            deliver(.command(id: id, command))
            return []
        case .poller(.acknowledge(let id, let ok, let message)), .config(.acknowledge(let id, let ok, let message)):
            acknowledge(command: id, ok: ok, message: message)
            return []
        case .poller(.log(let line)), .config(.log(let line)):
            log(line)
            return []

        case .outcomes(.sendOutcomes):
            let reached = reportOutcomes(store: store)
            return (reached ? outcomes.sent(now: clock.now()) : outcomes.sendFailed(now: clock.now(), jitter: clock.jitter()))
                .map(Work.outcomes)

        case .heartbeat(.sendHeartbeat):
            do {
                let site = try makeClient().heartbeat(heartbeatBody(store: store)).site
                return heartbeat.answered(site: site, now: clock.now()).map(Work.heartbeat)
            } catch {
                return heartbeat.failed(error.message, now: clock.now()).map(Work.heartbeat)
            }
        case .heartbeat(.checkConfig(let site)):
            return configCheck.periodic(site: site, running: runningConfigVersion(store)).map(Work.config)
        case .heartbeat(.recordFailure(let message)):
            record(store, failure: message)
            return []

        case .config(.learnSite(let id)):
            do {
                let site = try makeClient().heartbeat(heartbeatBody(store: store)).site
                return configCheck.siteLearned(site, commandID: id, running: runningConfigVersion(store)).map(Work.config)
            } catch {
                return configCheck.fetchFailed(error.message, commandID: id).map(Work.config)
            }
        case .config(.fetch(let site, let after, let id)):
            do {
                let config = try makeClient().config(site: site, after: after)
                return configCheck.fetched(config, site: site, after: after, commandID: id).map(Work.config)
            } catch {
                return configCheck.fetchFailed(error.message, commandID: id).map(Work.config)
            }
        case .config(.deliver(let config, let id)):
            deliver(.configuration(config, commandID: id))
            return []

        case .cases(let action):
            guard var machine = cases else { return [] }
            let next = pullStep(action, machine: &machine, store: store)
            cases = machine
            return next.map(Work.cases)

        case .lineage(.ask):
            guard var check = lineage else { return [] }
            let next = askLineage(&check, store: store)
            lineage = check
            return next.map(Work.lineage)
        case .lineage(.replaced(let reason)):
            log("sync: \(reason)")
            deliver(.logReplaced(reason: reason))
            return []
        }
    }

    /// Sends every unreported outcome, oldest first; false when the centre could not be reached.
    private func reportOutcomes(store: EventStore) -> Bool {
        var inMemory = lock.withLock { () -> [CommandOutcome] in
            defer { unstoredOutcomes = [] }
            return unstoredOutcomes
        }
        defer { lock.withLock { unstoredOutcomes = inMemory + unstoredOutcomes } }
        while let outcome = inMemory.first {
            guard report(outcome) else { return false }
            inMemory.removeFirst()
        }
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
        } catch where !error.isTransient {
            log("sync: the centre refused the outcome of command \(outcome.commandID): \(error.message)")
        } catch {
            return false
        }
        return true
    }
}
