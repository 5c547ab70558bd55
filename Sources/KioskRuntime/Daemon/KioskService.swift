#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import KioskSystem
import KioskCore
import KioskStorage

/// The kiosk with its storage: every input goes through the pure machine, and the events it
/// produces are committed (synchronous=FULL) before anything shows their effect. If the commit
/// fails the machine is put back as it was, so the screen never shows what was not stored.
/// After a commit the output goes to the adapters (printing, call-outs, sync), in the order they
/// were added; what they report back (a print that failed) is queued as the next input and
/// handled after this one, never from inside it.
public final class KioskService {
    public private(set) var setup: KioskSetup
    public let store: EventStore
    public private(set) var machine: KioskMachine
    public private(set) var screens: ScreenBuilder
    /// Carry out an output's actions; return inputs to handle next (results of what they did).
    public typealias Adapter = (KioskOutput) -> [KioskInput]
    private var adapters: [Adapter] = []
    /// The last storage failure, shown to staff until the next successful commit.
    public private(set) var storageProblem: String?
    /// Why the last input (an operator command) was refused, if it was.
    public private(set) var lastRefusal: String?
    /// Why the stored state was refused at start (damaged, emptied, events lost…): then nothing
    /// is handled or stored, every station shows the neutral paused screen, and this text goes
    /// to the log and to `kioskctl` (ping, commands), never to a public screen.
    public private(set) var storageRefusal: String?
    /// A daily backup being written (`dailyBackup`).
    private let backupRunning = DispatchGroup()
    /// The UTC day ("20261203") the daily backup was last looked at.
    private var backupDay: Substring = ""
    private var upkeepLogged: String?
    private var lastStorageRetry: Date?
    /// Held while refusing, so that `kioskctl restore` asks to stop this kioskd first.
    private var folderLock: StateFolderLock?

    /// Business days replayed on start: enough history for rolling service times.
    static let replayDays = 7

    /// True from a start with `deferHistory` until `loadDeferredHistory`: the machine knows only
    /// the latest business day, and no quiet hours.
    public private(set) var historyDeferred = false

    /// Opens the state folder and restores the queue from the stored events. With
    /// `deferHistory` (kioskd on station displays) only the latest business day is replayed and
    /// the four weeks of quiet hours are not read yet: enough for the first frame, which shows
    /// no estimates (`ScreenBuilder.showsEstimates`); `loadDeferredHistory` does the rest right
    /// after that frame is on the glass, before any input is handled.
    public init(setup: KioskSetup, stateDirectory: String, now: Date, deferHistory: Bool = false) throws {
        self.setup = setup
        store = try EventStore(path: stateDirectory + "/kiosk.sqlite", owner: true)
        screens = ScreenBuilder(catalogs: setup.catalogs)
        machine = try KioskService.restoreMachine(setup, store: store, days: deferHistory ? 1 : Self.replayDays, now: now)
        if deferHistory { historyDeferred = true } else { refreshQuietHours() }
        restorePulledCases()
        dailyBackup(now: now)
    }

    /// The history a start with `deferHistory` left out: the machine rebuilt from the whole
    /// `replayDays` (service times for the estimates, cases of earlier days) and the quiet
    /// hours. If the store cannot be read now, that is logged and the kiosk runs on with the
    /// latest day (estimates from it alone), as a `reload` that fails leaves the old machine.
    public func loadDeferredHistory(now: Date) {
        guard historyDeferred else { return }
        historyDeferred = false
        do { try reload(setup, now: now) } catch {
            Log.error("the history before the latest day cannot be read; estimates use that day only until kioskd is restarted or reloaded: \(error)")
            refreshQuietHours()
        }
    }

    /// A kiosk that refuses its stored state (`reason`): it shows the paused screen on every
    /// station and handles nothing until an operator fixes the state folder (`kioskctl check`,
    /// `kioskctl restore`) and starts kioskd again. Its store is an empty in-memory one, so
    /// nothing can reach the refused file.
    public init(setup: KioskSetup, refusing reason: String, stateDirectory: String? = nil, now: Date) throws {
        self.setup = setup
        folderLock = stateDirectory.map { StateFolderLock(database: $0 + "/kiosk.sqlite") }
        store = try EventStore(path: ":memory:")
        screens = ScreenBuilder(catalogs: setup.catalogs)
        machine = KioskMachine.restore(configuration: setup.configuration, catalog: setup.catalogs[.chinese], events: [], now: now)
        storageRefusal = reason
        storageProblem = "the stored state was refused at start: \(reason)"
    }

    /// The centre holds events of this kiosk above its log's last (`LineageCheck`): the state
    /// folder was replaced after a loss without `kioskctl restore --from-central`, so the day's
    /// ticket numbers would be given again. From now on it is refused as at start: nothing is
    /// handled or stored, every station shows the paused screen, the log and `kioskctl` say why.
    public func refuseReplacedLog(_ reason: String) {
        guard storageRefusal == nil else { return }
        storageRefusal = reason
        storageProblem = "the stored state is refused: \(reason)"
        Log.error("kioskd: REFUSING the stored state in \(store.path): \(reason)")
        Log.error("kioskd: nothing is stored and no ticket is given; every station shows \"暂停取号，请到窗口咨询 / please ask at the counter\".")
    }

    /// After a failed commit, every `storageRetrySeconds` on the tick: when the disk takes a
    /// write again the problem is cleared, so the lobby leaves the paused screen by itself.
    func retryStorage(now: Date) {
        guard storageProblem != nil, storageRefusal == nil else { return }
        if let last = lastStorageRetry, now.timeIntervalSince(last) < Self.storageRetrySeconds { return }
        lastStorageRetry = now
        if store.canCommit() {
            storageProblem = nil
            Log.notice("storage takes writes again: tickets are given again")
        }
    }

    static let storageRetrySeconds: TimeInterval = 10

    /// Once a UTC day (at start and on the first tick of a day): a `daily` backup in
    /// `backups/` when none was made that day. A failure is logged and tried again the next day.
    /// It runs on a thread of its own, reading a snapshot through its own connection: copying a
    /// large database on the loop froze the screens (and delayed the first frame at start).
    func dailyBackup(now: Date) {
        let day = Backups.stamp(now).prefix(8)
        guard day != backupDay, storageRefusal == nil else { return }
        backupDay = day
        let (path, running) = (store.path, backupRunning)
        running.enter()
        Posix.startThread(name: "kiosk-backup") {
            defer { running.leave() }
            do {
                if let file = try EventStore.dailyBackupIfDue(database: path, now: now) { Log.info("daily backup written: \(file)") }
            } catch {
                Log.error("the daily backup failed (the kiosk runs on; the older backups are kept): \(error)")
            }
        }
    }

    /// Waits until a daily backup that is being written is done (a clean stop, tests).
    public func waitForBackup() { backupRunning.wait() }

    /// The events to replay: whole business days, the newest `days` of them.
    static func replayEvents(store: EventStore, days: Int = replayDays) throws -> [KioskEvent] {
        var events: [KioskEvent] = []
        try forEachReplayed(store: store, days: days) { events.append($0) }
        return events
    }

    /// The machine of `setup` rebuilt from the stored events of the last `days` business days,
    /// read one at a time.
    static func restoreMachine(_ setup: KioskSetup, store: EventStore, days: Int = replayDays, now: Date) throws -> KioskMachine {
        try KioskMachine.restore(configuration: setup.configuration, catalog: setup.catalogs[.chinese], now: now) { apply in
            try forEachReplayed(store: store, days: days, apply)
        }
    }

    /// The stored events of the last `days` business days (up to the newest event's), oldest first.
    static func forEachReplayed(store: EventStore, days: Int, _ body: (KioskEvent) throws -> Void) throws {
        guard let latest = try store.latestDay() else { return }
        try store.forEachEvent(from: shiftDay(latest, by: -(days - 1)), through: latest) { try body($0.event) }
    }

    static func shiftDay(_ day: String, by days: Int) -> String {
        guard let number = CivilDate.days(of: day) else { return day }
        return CivilDate.string(days: number + Int64(days))
    }

    /// Adds an adapter: it sees every committed output, after the ones added before it.
    public func addAdapter(_ adapter: @escaping Adapter) { adapters.append(adapter) }

    /// Feeds one input from the keypad of the `[station]` named `station`: a lobby key carries
    /// the station's name, which keeps its screen and picks its printer.
    @discardableResult
    public func handle(_ input: KioskInput, fromStation station: String) -> Bool {
        if case .key(let key, let id, let at, let terminal) = input, terminal.isEmpty {
            return handle(.key(key, station: id, at: at, terminal: station))
        }
        return handle(input)
    }

    /// Feeds one input, then what the adapters report back, one after another; returns true when
    /// something may have changed on screen.
    @discardableResult
    public func handle(_ input: KioskInput) -> Bool {
        if storageRefusal != nil { return false }
        if case .tick(let now) = input {
            dailyBackup(now: now)
            retryStorage(now: now)
        }
        var pending = [input]
        var first = true
        while !pending.isEmpty {
            let output = commit(pending.removeFirst())
            if first { lastRefusal = output?.refusal; first = false }
            guard let output else { continue }
            for adapter in adapters { pending += adapter(output) }
        }
        return true
    }

    /// One input through the machine and into the store; nil when the store refused it (the
    /// machine is then as before, and nothing may act on the output).
    private func commit(_ input: KioskInput) -> KioskOutput? {
        let before = machine
        var output = machine.handle(input)
        if !output.events.isEmpty {
            do {
                try store.append(output.events, kiosk: setup.configuration.kioskID, contacts: output.contacts)
                storageProblem = nil
                if store.upkeepProblem != upkeepLogged {
                    upkeepLogged = store.upkeepProblem
                    if let p = upkeepLogged { Log.error("events stored, but: \(p)") }
                }
            } catch {
                machine = before
                storageProblem = "\(error)"
                Log.error("could not store \(output.events.count) event(s), input ignored: \(error)")
                return nil
            }
            // One line per ticket handed out: stored (synchronous=FULL) before the screen shows it.
            for e in output.events where e.type == .ticketIssued {
                Log.info("ticket \(e.ticket ?? "?") issued (\(e.service ?? "?")), stored")
            }
        }
        for line in output.log { Log.notice(line) }
        for a in output.announcements { Log.info("call \(a.ticket) to counter \(a.counter)") }
        if output.needsQuietHours {
            _ = machine.handle(.quietHours(KioskService.quietHours(store: store, day: machine.state.day, timeZone: setup.configuration.zone)))
            output.needsQuietHours = false
        }
        return output
    }

    /// Swaps in a new configuration (SIGHUP, `kioskctl reload`): the machine is rebuilt from the
    /// stored events under the new rules. If that fails nothing changes and the old one runs on.
    public func reload(_ newSetup: KioskSetup, now: Date) throws {
        let rebuilt = try KioskService.restoreMachine(newSetup, store: store, now: now)
        setup = newSetup
        screens = ScreenBuilder(catalogs: newSetup.catalogs)
        machine = rebuilt
        refreshQuietHours()
        restorePulledCases()
    }

    /// Busy and quiet hours from the last four weeks of stored tickets up to `day`, for the
    /// lobby's advice (`KioskInput.quietHours`).
    public static func quietHours(store: EventStore, day: String, timeZone: SiteTimeZone) -> QuietHoursAdvice? {
        var tally = QuietHours.Tally(timeZone: timeZone)
        do {
            try store.forEachEvent(from: shiftDay(day, by: -28), through: day, type: .ticketIssued) { tally.add($0.event) }
        } catch {
            return nil  // as before: no advice when the history cannot be read (the replay reports it)
        }
        return tally.advice().map { QuietHoursAdvice(busy: $0.busy, quiet: $0.quiet) }
    }

    /// The centre's case states as last pulled (stored by the sync worker), so the lobby lookup
    /// and the counters know them at once after a start or a reload, offline too, "as of" the
    /// last pull. If they cannot be read, that is logged and the kiosk starts without them.
    func restorePulledCases() {
        do {
            guard let asOf = try store.pulledCasesAsOf() else { return }
            _ = machine.handle(.casesPulled(try store.pulledCases(), asOf: asOf))
        } catch {
            Log.error("the case states pulled from the centre cannot be read; the kiosk shows its own cases and what later pulls bring: \(error)")
        }
    }

    func refreshQuietHours() {
        _ = machine.handle(.quietHours(KioskService.quietHours(store: store, day: machine.state.day, timeZone: setup.configuration.zone)))
    }

    /// Every station's screen for the console (a storage problem heads the first), the
    /// waiting-room board last.
    public func currentScreens(now: Date) -> [Screen] {
        if storageRefusal != nil { return stations.map { _ in screens.paused(machine) } }
        return screens.screens(machine, now: now, storageProblem: storageProblem) + [screens.board(machine, now: now)]
    }

    /// One station's screen (`ScreenBuilder.screen(for:)`), or the paused screen on every
    /// station while the stored state is refused.
    /// `estimates: false` for a first frame only (`ScreenBuilder.showsEstimates`).
    public func screen(for station: StationID, terminal: String = "", now: Date, estimates: Bool = true) -> Screen {
        if storageRefusal != nil { return screens.paused(machine, terminal: terminal) }
        var builder = screens
        builder.showsEstimates = estimates
        return builder.screen(for: station, machine, terminal: terminal, now: now, storageProblem: storageProblem)
    }

    /// Station order on screen, matching `currentScreens`.
    public var stations: [StationID] { [.lobby] + setup.configuration.counters.map { .counter($0.number) } + [.board] }
}
