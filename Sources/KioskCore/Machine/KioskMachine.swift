#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The kiosk's decisions, pure: inputs in, an output of everything to do out. The durable part of
/// its state (`QueueState`) changes only by applying the events it emits, so replaying stored
/// events rebuilds it exactly; the rest (`lobbies`, `counterUI`) is what a person is typing right
/// now. The work is split by station and concern, one file each: `Lobby`, `Counter` (keys from
/// `CounterKeys`, login and transfer), `RatingPad`, `Cases`, `CaseLookup` (the lobby's),
/// `CounterCases` (replies, resolutions and escalation alerts at counters), `Farewells`, `Care`,
/// `DayRollover`, `OperatorCommands` and `Printing` (tickets and commitment slips); `handle` is the only way in, `KioskOutput` the only way out.
public struct KioskMachine: Sendable {
    public let configuration: Configuration
    public let calendar: LocalCalendar
    /// Farewell message keys available in the catalog, by prefix ("farewell.rain.").
    let farewellKeys: [String: [String]]
    public internal(set) var state: QueueState
    /// The wait estimator `estimator =` chose; it sees every event applied to `state`.
    public internal(set) var estimator: any WaitEstimator
    /// Lobby terminals that were used, by name (see `KioskInput.key`).
    var lobbies: [String: LobbyTerminal] = [:]
    public internal(set) var counterUI: [Int: CounterUI] = [:]
    /// Busy and quiet hours from stored history, for the lobby's advice (`KioskInput.quietHours`).
    public internal(set) var quietHours: QuietHoursAdvice?
    /// Printers whose last job failed (one lobby's broken printer is not cured by another's).
    var failingPrinters: Set<String> = []
    /// The centre's view of this site's cases, by reference, and when it was last pulled
    /// (`KioskInput.casesPulled`). Cases opened here and not yet pulled back are folded from
    /// this kiosk's own events (`caseView`).
    public internal(set) var caseBoard: [String: CaseState] = [:]
    public internal(set) var caseBoardAsOf: Date?
    /// This kiosk's own case events by reference, as applied (live and on replay): the fold of
    /// a case the centre has not sent back, and its acts the last pull may not show yet.
    var caseEvents: [String: [KioskEvent]] = [:]
    /// Events applied so far, and when the proactive care alert last forecast and after how many
    /// events (`predictCareAlerts`): it forecasts again when the line changed or time passed.
    var appliedEvents = 0
    var careForecastAt: Date?
    var careForecastEvents = 0
    /// The screens' estimates for the current state (`screenEstimate`); a new one per event.
    var estimateMemo = EstimateMemo()

    public init(configuration: Configuration, catalog: Catalog, day: String) {
        self.configuration = configuration
        self.calendar = LocalCalendar(configuration)
        self.state = QueueState(configuration: configuration, day: day)
        self.estimator = WaitEstimators.make(configuration)
        var keys: [String: [String]] = [:]
        for prefix in KioskMachine.farewellPrefixes { keys[prefix] = catalog.keys(withPrefix: prefix) }
        self.farewellKeys = keys
        for c in configuration.counters { counterUI[c.number] = CounterUI() }
    }

    /// Rebuilds the machine from stored events (oldest first), as after a restart or a crash.
    public static func restore(configuration: Configuration, catalog: Catalog, events: [KioskEvent], now: Date) -> KioskMachine {
        restore(configuration: configuration, catalog: catalog, now: now) { apply in events.forEach(apply) }
    }

    /// The same, with `replay` handing the events over one at a time (kioskd reads them from its
    /// store row by row, so a week of history is never all in memory).
    public static func restore(
        configuration: Configuration, catalog: Catalog, now: Date, replay: ((KioskEvent) -> Void) throws -> Void
    ) rethrows -> KioskMachine {
        var machine: KioskMachine?
        try replay { event in
            if machine == nil { machine = KioskMachine(configuration: configuration, catalog: catalog, day: event.day) }
            machine!.apply(event)
        }
        return machine ?? KioskMachine(configuration: configuration, catalog: catalog, day: LocalCalendar(configuration).businessDay(of: now))
    }

    /// A lobby terminal's screen state (idle, in the default language, until it is used).
    public func lobbyTerminal(_ name: String) -> LobbyTerminal {
        lobbies[name] ?? LobbyTerminal(language: configuration.language)
    }

    /// The lobby of a kiosk with one lobby terminal (the console, the demo).
    public var lobby: LobbyMode { lobbyTerminal("").mode }
    public var lobbyLanguage: Language { lobbyTerminal("").language }

    // MARK: Inputs

    public mutating func handle(_ input: KioskInput) -> KioskOutput {
        var out = KioskOutput()
        switch input {
        case .tick(let time):
            let now = time.wholeSeconds
            rollOver(now: now, into: &out)
            predictCareAlerts(now: now, into: &out)
            raiseCareAlerts(now: now, into: &out)
            movePadsOn(now: now, into: &out)
            endFarewells(now: now, into: &out)
            expireLobbies(now: now)
            expireCounterNotices(now: now)
        case .key(let key, let station, let time, let terminal):
            let now = time.wholeSeconds
            rollOver(now: now, into: &out)
            switch station {
            case .lobby: lobbyKey(key, terminal: terminal, now: now, into: &out)
            case .counter(let n):
                guard state.counters[n] != nil else { break }
                counterKey(key, counter: n, now: now, into: &out)
            case .board:
                break  // display-only: nothing to press
            }
        case .setWeather(let weather, let time):
            let now = time.wholeSeconds
            rollOver(now: now, into: &out)
            setWeather(weather, counter: nil, now: now, into: &out)
        case .counterCommand(let command, let n, let time):
            let now = time.wholeSeconds
            rollOver(now: now, into: &out)
            operatorCommand(command, counter: n, now: now, into: &out)
        case .printed(let job, let problem, let time):
            printed(job, problem: problem, now: time.wholeSeconds, into: &out)
        case .quietHours(let advice):
            quietHours = advice
        case .casesPulled(let states, let asOf):
            for s in states where (caseBoard[s.ref]?.version ?? Int.min) <= s.version { caseBoard[s.ref] = s }
            caseBoardAsOf = max(caseBoardAsOf ?? asOf, asOf)
        }
        printSlips(into: &out)
        return out
    }

    // MARK: Events

    /// The one way the durable state changes: the fold and the estimator see the same event.
    mutating func apply(_ event: KioskEvent) {
        state.apply(event)
        estimator.observe(event, in: state)
        appliedEvents += 1
        estimateMemo = EstimateMemo()
        if event.type.isCaseEvent, let ref = event.caseRef { caseEvents[ref, default: []].append(event) }
    }

    mutating func record(_ event: KioskEvent, into out: inout KioskOutput) {
        apply(event)
        out.events.append(event)
    }

    /// A new event of today, with the counter's staff and the ticket's fields filled in.
    func event(_ type: EventType, _ now: Date, counter: Int? = nil, ticket: Ticket? = nil) -> KioskEvent {
        var e = KioskEvent(type, at: now, day: state.day)
        e.counter = counter
        if let t = ticket {
            e.ticket = t.label
            e.service = t.service
            e.priority = t.priority
        }
        if let n = counter { e.staff = state.counters[n]?.staff }
        return e
    }

    func elapsed(_ since: Date, _ now: Date) -> Int { Int(now.timeIntervalSince(since)) }

    // MARK: Estimates

    /// The remaining wait, at `now`, of the person `question` names (the configured estimator's).
    public func estimate(_ question: WaitQuestion, now: Date) -> WaitEstimate {
        estimator.estimate(question, state: state, now: now)
    }
}
