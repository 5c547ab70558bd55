import Foundation
import KioskCore
import KioskStorage

/// The kiosk with its storage: every input goes through the pure machine, and the events it
/// produces are committed (synchronous=FULL) before anything shows their effect. If the commit
/// fails the machine is put back as it was, so the screen never shows what was not stored.
public final class KioskService {
    public private(set) var setup: KioskSetup
    public let store: EventStore
    public private(set) var machine: KioskMachine
    public private(set) var screens: ScreenBuilder
    /// Called with the call-outs of each input (the voice call-out queue hangs here).
    public var onAnnouncement: (Announcement) -> Void = { _ in }
    /// Called with each input's events once they are stored (printed tickets hang here).
    public var onEvents: ([KioskEvent]) -> Void = { _ in }
    /// The last storage failure, shown to staff until the next successful commit.
    public private(set) var storageProblem: String?
    /// Why the last input (an operator command) was refused, if it was.
    public private(set) var lastRefusal: String?
    /// The `[station]` whose keypad sent the input being handled (nil: console, timer, operator),
    /// so that hooks can tell two lobby stations apart (each prints its own tickets).
    public private(set) var inputStation: String?

    /// Business days replayed on start: enough history for rolling service times.
    static let replayDays = 7

    /// Opens the state folder and restores the queue from the stored events.
    public init(setup: KioskSetup, stateDirectory: String, now: Date) throws {
        self.setup = setup
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        store = try EventStore(path: stateDirectory + "/kiosk.sqlite")
        screens = ScreenBuilder(catalogs: setup.catalogs)
        let events = try KioskService.replayEvents(store: store)
        machine = KioskMachine.restore(configuration: setup.configuration, catalog: setup.catalogs[.chinese], events: events, now: now)
        refreshQuietHours(now: now)
    }

    /// The events to replay: whole business days, the newest `replayDays` of them.
    static func replayEvents(store: EventStore) throws -> [KioskEvent] {
        guard let latest = try store.latestDay() else { return [] }
        let first = shiftDay(latest, by: -(replayDays - 1))
        return try store.events(from: first, through: latest).map(\.event)
    }

    static func shiftDay(_ day: String, by days: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = day.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let shifted = calendar.date(byAdding: .day, value: days, to: date) else { return day }
        let c = calendar.dateComponents([.year, .month, .day], from: shifted)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// Feeds one input from the keypad of the `[station]` named `station`.
    @discardableResult
    public func handle(_ input: KioskInput, fromStation station: String) -> Bool {
        inputStation = station
        defer { inputStation = nil }
        return handle(input)
    }

    /// Feeds one input; returns true when something may have changed on screen.
    @discardableResult
    public func handle(_ input: KioskInput) -> Bool {
        let before = machine
        let dayBefore = machine.state.day
        let output = machine.handle(input)
        lastRefusal = output.refusal
        if !output.events.isEmpty {
            do {
                try store.append(output.events, kiosk: setup.configuration.kioskID)
                storageProblem = nil
            } catch {
                machine = before
                storageProblem = "\(error)"
                Log.error("could not store \(output.events.count) event(s), input ignored: \(error)")
                return true
            }
            onEvents(output.events)
            // One line per ticket handed out: stored (synchronous=FULL) before the screen shows it.
            for e in output.events where e.type == .ticketIssued {
                Log.info("ticket \(e.ticket ?? "?") issued (\(e.service ?? "?")), stored")
            }
        }
        for a in output.announcements {
            Log.info("call \(a.ticket) to counter \(a.counter)")
            onAnnouncement(a)
        }
        if machine.state.day != dayBefore, case .tick(let now) = input { refreshQuietHours(now: now) }
        return true
    }

    /// Swaps in a new configuration (SIGHUP, `kioskctl reload`): the machine is rebuilt from the
    /// stored events under the new rules. If that fails nothing changes and the old one runs on.
    public func reload(_ newSetup: KioskSetup, now: Date) throws {
        let events = try KioskService.replayEvents(store: store)
        let rebuilt = KioskMachine.restore(configuration: newSetup.configuration, catalog: newSetup.catalogs[.chinese], events: events, now: now)
        setup = newSetup
        screens = ScreenBuilder(catalogs: newSetup.catalogs)
        machine = rebuilt
        refreshQuietHours(now: now)
    }

    /// Busy and quiet hours from the last four weeks of stored tickets.
    func refreshQuietHours(now: Date) {
        let latest = machine.state.day
        let events = (try? store.events(from: KioskService.shiftDay(latest, by: -28), through: latest))?.map(\.event) ?? []
        machine.quietHours = QuietHours.advice(events: events.filter { $0.type == .ticketIssued }, timeZone: setup.configuration.timeZone).map { ($0.busy, $0.quiet) }
    }

    public func currentScreens(now: Date) -> [Screen] {
        var all = screens.screens(machine, now: now)
        if let problem = storageProblem, !all.isEmpty {
            all[0].blocks.insert(.text(setup.catalogs[setup.configuration.language].text("storage.problem", ["error": problem]), .alert), at: 0)
        }
        return all
    }

    /// Station order on screen, matching `currentScreens`.
    public var stations: [StationID] { [.lobby] + setup.configuration.counters.map { .counter($0.number) } }
}
