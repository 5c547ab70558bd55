import Foundation

/// Which station an input came from.
public enum StationID: Hashable, Sendable, CustomStringConvertible {
    case lobby
    case counter(Int)
    public var description: String {
        switch self {
        case .lobby: return "lobby"
        case .counter(let n): return "counter \(n)"
        }
    }
}

/// Everything the kiosk reacts to. Time always comes in with the input (injected clock).
public enum KioskInput: Sendable {
    /// A key from a station's keypad. `terminal` tells lobby terminals apart (its `[station]`
    /// name) when a site has several: each has its own screen state; "" is the only lobby of
    /// the console and the demo. Counters are told apart by `station`.
    case key(Key, station: StationID, at: Date, terminal: String = "")
    case tick(Date)
    case setWeather(Weather, at: Date)
    /// An operator's command from the control socket (`kioskctl counter pause 2`).
    case counterCommand(CounterCommand, counter: Int, at: Date)
    /// The ticket printer failed for `ticket` (nil: noticed without a ticket), or printed again.
    /// `problem` is a `printer.problem.*` catalog suffix: offline, paper-out, busy, error.
    case printerFailed(ticket: String?, problem: String, station: String? = nil, at: Date)
    case printerRecovered(at: Date)
}

/// What an operator may do to a counter from the shell.
public enum CounterCommand: String, Sendable, CaseIterable {
    case open, pause, close
}

/// What the drivers must do after an input: persist the events (before showing their effect)
/// and call out tickets.
public struct KioskOutput: Equatable, Sendable {
    public var events: [KioskEvent] = []
    public var announcements: [Announcement] = []
    /// Why an operator command was refused (nothing changed), for the operator's shell.
    public var refusal: String?
    public init() {}
}

public struct Announcement: Equatable, Sendable {
    public var ticket: String
    public var counter: Int
}

/// Lobby screen state that is not worth persisting: what the resident is in the middle of.
public enum LobbyMode: Equatable, Sendable {
    case idle
    case choosing(priority: Bool, service: String?, since: Date)
    case ticket(label: String, since: Date)
    case notice(key: String, since: Date)
}

/// One lobby terminal's screen: what its resident is doing, in which language.
public struct LobbyTerminal: Equatable, Sendable {
    public var mode: LobbyMode = .idle
    public var language: Language
    /// When a resident last pressed a key here (the language returns to the default after a pause).
    var lastKeyAt: Date?

    var isChoosing: Bool { if case .choosing = mode { return true }; return false }
    var priority: Bool { if case .choosing(let p, _, _) = mode { return p }; return false }
}

/// A staff member's half-typed entry at a counter.
public enum CounterEntry: Equatable, Sendable {
    case none
    case staffNumber(String)
    case pin(staff: String, digits: String)
    case transfer
}

public struct CounterUI: Equatable, Sendable {
    public var entry: CounterEntry = .none
    public var unresolvedMarked = false
    public var notice: (key: String, arguments: [String: String], since: Date)?
    public static func == (a: CounterUI, b: CounterUI) -> Bool {
        a.entry == b.entry && a.unresolvedMarked == b.unresolvedMarked && a.notice?.key == b.notice?.key
            && a.notice?.arguments == b.notice?.arguments && a.notice?.since == b.notice?.since
    }
}

/// The kiosk's decisions, pure: inputs in, events and announcements out. The durable part of its
/// state (`QueueState`) changes only by applying the events it emits, so replaying stored events
/// rebuilds it exactly; the rest (`lobby`, `counterUI`) is what a person is typing right now.
public struct KioskMachine: Sendable {
    public let configuration: Configuration
    public let calendar: LocalCalendar
    /// Farewell message keys available in the catalog, by prefix ("farewell.rain.").
    private let farewellKeys: [String: [String]]
    public private(set) var state: QueueState
    /// Lobby terminals that were used, by name (see `KioskInput.key`).
    private var lobbies: [String: LobbyTerminal] = [:]
    public private(set) var counterUI: [Int: CounterUI] = [:]
    /// Busy and quiet hours from stored history, for the lobby's advice.
    public var quietHours: (busy: [Int], quiet: [Int])?

    public init(configuration: Configuration, catalog: Catalog, day: String) {
        self.configuration = configuration
        self.calendar = LocalCalendar(configuration)
        self.state = QueueState(configuration: configuration, day: day)
        var keys: [String: [String]] = [:]
        for prefix in ["farewell.morning.", "farewell.afternoon.", "farewell.evening.", "farewell.rain.", "farewell.hot.", "farewell.cold."] {
            keys[prefix] = catalog.keys(withPrefix: prefix)
        }
        self.farewellKeys = keys
        for c in configuration.counters { counterUI[c.number] = CounterUI() }
    }

    /// Rebuilds the machine from stored events (oldest first), as after a restart or a crash.
    public static func restore(configuration: Configuration, catalog: Catalog, events: [KioskEvent], now: Date) -> KioskMachine {
        var machine = KioskMachine(configuration: configuration, catalog: catalog,
                                   day: events.first?.day ?? LocalCalendar(configuration).businessDay(of: now))
        for e in events { machine.state.apply(e) }
        return machine
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
            tick(now: now, into: &out)
        case .key(let key, let station, let time, let terminal):
            let now = time.wholeSeconds
            rollOver(now: now, into: &out)
            switch station {
            case .lobby: lobbyKey(key, terminal: terminal, now: now, into: &out)
            case .counter(let n):
                guard state.counters[n] != nil else { break }
                counterKey(key, counter: n, now: now, into: &out)
            }
        case .setWeather(let weather, let time):
            let now = time.wholeSeconds
            rollOver(now: now, into: &out)
            if weather != state.weather {
                var e = KioskEvent(.weatherSet, at: now, day: state.day)
                e.weather = weather
                record(e, into: &out)
            }
        case .counterCommand(let command, let n, let time):
            let now = time.wholeSeconds
            rollOver(now: now, into: &out)
            operatorCommand(command, counter: n, now: now, into: &out)
        case .printerFailed(let ticket, let detail, let station, let time):
            // One event per ticket that did not print, so reports and staff see every one.
            var e = KioskEvent(.printerFailed, at: time.wholeSeconds, day: state.day)
            e.ticket = ticket
            e.detail = detail
            e.station = station
            record(e, into: &out)
        case .printerRecovered(let time):
            if state.printerProblem != nil { record(KioskEvent(.printerRecovered, at: time.wholeSeconds, day: state.day), into: &out) }
        }
        return out
    }

    /// Opens, pauses or closes a counter for an operator; refuses (with the reason) what staff
    /// must do at the counter themselves: logging in, finishing the current ticket.
    private mutating func operatorCommand(_ command: CounterCommand, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let counter = state.counters[n] else {
            out.refusal = "counter \(n) is not in the configuration (counters: \(state.counters.keys.sorted().map(String.init).joined(separator: ", ")))"
            return
        }
        switch command {
        case .open:
            if counter.status == .open { out.refusal = "counter \(n) is already open"; return }
            guard counter.staff != nil else {
                out.refusal = "no staff is logged in at counter \(n); staff log in at the counter (0, staff number, PIN), which opens it"
                return
            }
            record(event(.counterOpened, now, counter: n), into: &out)
        case .pause:
            guard counter.status == .open else { out.refusal = "counter \(n) is \(counter.status.rawValue), not open"; return }
            record(event(.counterPaused, now, counter: n), into: &out)
        case .close:
            if let label = counter.current {
                out.refusal = "counter \(n) still has ticket \(label); finish it at the counter first"
                return
            }
            if counter.status == .closed && counter.staff == nil { out.refusal = "counter \(n) is already closed"; return }
            if counter.staff != nil { record(event(.staffLoggedOut, now, counter: n), into: &out) }
            record(event(.counterClosed, now, counter: n), into: &out)
            counterUI[n] = CounterUI()
        }
    }

    private mutating func record(_ event: KioskEvent, into out: inout KioskOutput) {
        state.apply(event)
        out.events.append(event)
    }

    private func event(_ type: EventType, _ now: Date, counter: Int? = nil, ticket: Ticket? = nil) -> KioskEvent {
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

    // MARK: Time

    /// Closes the old business day when a new one begins: an unanswered rating pad counts as not
    /// rated, staff are logged out, the queue is emptied (tickets never called count as walk-outs
    /// in reports), weather returns to the configured one.
    private mutating func rollOver(now: Date, into out: inout KioskOutput) {
        let today = calendar.businessDay(of: now)
        guard today != state.day else { return }
        if !state.dayClosed {
            for n in state.counters.keys.sorted() {
                guard let c = state.counters[n] else { continue }
                if case .awaitingRating(let label, _) = c.pad {
                    var e = event(.notRated, now, counter: n, ticket: state.tickets[label])
                    e.ticket = label
                    record(e, into: &out)
                }
                if c.staff != nil { record(event(.staffLoggedOut, now, counter: n), into: &out) }
                if c.status != .closed { record(event(.counterClosed, now, counter: n), into: &out) }
            }
            var close = KioskEvent(.dayClosed, at: now, day: state.day)
            close.detail = "walkouts=\(state.waitingTickets.count)"
            record(close, into: &out)
        }
        state.day = today
        state.dayClosed = false
        for name in lobbies.keys { lobbies[name]?.mode = .idle }
        for n in counterUI.keys { counterUI[n] = CounterUI() }
        if state.weather != configuration.weather {
            var e = KioskEvent(.weatherSet, at: now, day: today)
            e.weather = configuration.weather
            record(e, into: &out)
        }
    }

    private mutating func tick(now: Date, into out: inout KioskOutput) {
        // Care for long waits: once per ticket, when it passes its service's target.
        for t in state.waitingTickets where t.careRaisedAt == nil {
            guard let service = configuration.service(t.service) else { continue }
            let waited = t.waitedMinutes(now: now)
            if waited >= service.targetWaitMinutes {
                var e = event(.careAlertRaised, now, ticket: t)
                e.waitedMinutes = waited
                record(e, into: &out)
            }
        }
        // Rating pads move on by themselves when nobody answers.
        for n in state.counters.keys.sorted() {
            guard let pad = state.counters[n]?.pad else { continue }
            switch pad {
            case .awaitingRating(let label, let since) where elapsed(since, now) >= configuration.ratingTimeoutSeconds:
                var e = event(.notRated, now, counter: n, ticket: state.tickets[label])
                e.ticket = label
                record(e, into: &out)
                showFarewell(counter: n, ticket: label, now: now, into: &out)
            case .awaitingReason(let label, _, let since) where elapsed(since, now) >= configuration.reasonTimeoutSeconds:
                recordReason(nil, ticket: label, counter: n, now: now, into: &out)
            case .commitment(let label, _, let since) where elapsed(since, now) >= configuration.commitmentSeconds:
                showFarewell(counter: n, ticket: label, now: now, into: &out)
            default:
                break
            }
        }
        state.expireFarewells(now: now, after: configuration.farewellSeconds)
        for (name, terminal) in lobbies {
            switch terminal.mode {
            case .choosing(_, _, let since), .ticket(_, let since), .notice(_, let since):
                if elapsed(since, now) >= configuration.ticketScreenSeconds {
                    lobbies[name]?.mode = .idle
                    lobbies[name]?.language = configuration.language
                }
            case .idle:
                // A resident who switched language and walked away: the next one gets the default.
                if terminal.language != configuration.language, let last = terminal.lastKeyAt,
                   elapsed(last, now) >= configuration.ticketScreenSeconds {
                    lobbies[name]?.language = configuration.language
                }
            }
        }
        for (n, ui) in counterUI {
            if let notice = ui.notice, elapsed(notice.since, now) >= 5 { counterUI[n]?.notice = nil }
        }
    }

    private func elapsed(_ since: Date, _ now: Date) -> Int { Int(now.timeIntervalSince(since)) }

    // MARK: Lobby

    private mutating func lobbyKey(_ key: Key, terminal name: String, now: Date, into out: inout KioskOutput) {
        var t = lobbyTerminal(name)
        t.lastKeyAt = now
        switch (t.mode, key) {
        case (_, .digit(0)) where !t.isChoosing:
            t.language = t.language == .chinese ? .english : .chinese
        case (_, .digit(let d)):
            // A service key starts (or changes) a choice from any lobby screen.
            if let service = configuration.service(key: d) {
                t.mode = .choosing(priority: t.priority, service: service.id, since: now)
            }
        case (.choosing(let priority, let service, _), .star):
            t.mode = .choosing(priority: !priority, service: service, since: now)
        case (_, .star):
            t.mode = .choosing(priority: true, service: nil, since: now)
        case (.choosing(let priority, let service?, _), .enter):
            if let shown = issueTicket(service: service, priority: priority, now: now, into: &out) { t.mode = shown }
        case (.choosing, .backspace), (.ticket, .enter), (.ticket, .backspace), (.notice, _):
            t.mode = .idle
        default:
            break
        }
        lobbies[name] = t
    }

    /// Issues a ticket; returns what the lobby shows next (the ticket, or why there is none).
    private mutating func issueTicket(service id: String, priority: Bool, now: Date, into out: inout KioskOutput) -> LobbyMode? {
        guard let service = configuration.service(id) else { return nil }
        guard let number = state.nextNumber(for: service) else {
            return .notice(key: "lobby.numbers-exhausted", since: now)
        }
        let ahead = WaitEstimator.aheadOfNewTicket(service: id, priority: priority, state: state)
        let estimate = WaitEstimator.estimate(ahead: ahead, service: service, state: state)
        let digits = service.lastNumber > 999 ? 4 : 3
        let label = service.prefix + String(repeating: "0", count: max(0, digits - String(number).count)) + String(number)
        var e = KioskEvent(.ticketIssued, at: now, day: state.day)
        e.ticket = label
        e.service = id
        e.number = number
        e.priority = priority
        e.position = ahead + 1
        e.estimateLow = estimate.low
        e.estimateHigh = estimate.high
        record(e, into: &out)
        return .ticket(label: label, since: now)
    }

    // MARK: Counters

    private mutating func notice(_ n: Int, _ key: String, _ arguments: [String: String] = [:], now: Date) {
        counterUI[n]?.notice = (key, arguments, now)
    }

    private mutating func counterKey(_ key: Key, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let counter = state.counters[n], var ui = counterUI[n] else { return }
        // The rating pad shares the keypad: while it asks, its digits answer it.
        if case .digit(let d) = key, padTakes(digit: d, counter: n, now: now, into: &out) { return }

        switch ui.entry {
        case .staffNumber(let digits):
            switch key {
            case .digit(let d) where digits.count < 8: ui.entry = .staffNumber(digits + String(d))
            case .backspace: ui.entry = digits.isEmpty ? .none : .staffNumber(String(digits.dropLast()))
            case .enter where !digits.isEmpty: ui.entry = .pin(staff: digits, digits: "")
            default: break
            }
            counterUI[n] = ui
            return
        case .pin(let staff, let digits):
            switch key {
            case .digit(let d) where digits.count < 12: ui.entry = .pin(staff: staff, digits: digits + String(d))
            case .backspace: ui.entry = digits.isEmpty ? .staffNumber(staff) : .pin(staff: staff, digits: String(digits.dropLast()))
            case .enter:
                ui.entry = .none
                counterUI[n] = ui
                logIn(staff: staff, pin: digits, counter: n, now: now, into: &out)
                return
            default: break
            }
            counterUI[n] = ui
            return
        case .transfer:
            ui.entry = .none
            counterUI[n] = ui
            if case .digit(let d) = key { transfer(counter: n, toKey: d, now: now, into: &out) }
            return
        case .none:
            break
        }

        guard counter.staff != nil else {
            if key == .digit(0) { counterUI[n]?.entry = .staffNumber("") } else { notice(n, "counter.notice.login-first", now: now) }
            return
        }
        let current = counter.current.flatMap { state.tickets[$0] }
        switch key {
        case .plus:
            if let t = current {
                notice(n, t.status == .serving ? "counter.notice.finish-first" : "counter.notice.start-first", ["ticket": t.label], now: now)
            } else if counter.status != .open {
                notice(n, "counter.notice.paused", now: now)
            } else if let next = CallOrder.next(for: counter, state: state, normalCallsPerPriority: configuration.normalCallsPerPriority) {
                record(event(.ticketCalled, now, counter: n, ticket: next), into: &out)
                out.announcements.append(Announcement(ticket: next.label, counter: n))
                counterUI[n]?.unresolvedMarked = false
            } else {
                notice(n, "counter.notice.nobody-waiting", now: now)
            }
        case .minus:
            guard let t = current, t.status == .called else { return notice(n, "counter.notice.nothing-to-recall", now: now) }
            record(event(.ticketRecalled, now, counter: n, ticket: t), into: &out)
            out.announcements.append(Announcement(ticket: t.label, counter: n))
        case .slash:
            guard let t = current, t.status == .called else { return notice(n, "counter.notice.nothing-to-recall", now: now) }
            if t.recalls < configuration.recallsBeforeNoShow {
                notice(n, "counter.notice.recall-first", ["count": String(configuration.recallsBeforeNoShow - t.recalls)], now: now)
            } else {
                record(event(.ticketNoShow, now, counter: n, ticket: t), into: &out)
            }
        case .dot:
            if current != nil { counterUI[n]?.entry = .transfer } else { notice(n, "counter.notice.no-ticket", now: now) }
        case .enter:
            guard let t = current else { return notice(n, "counter.notice.no-ticket", now: now) }
            if t.status == .called {
                record(event(.serviceStarted, now, counter: n, ticket: t), into: &out)
            } else {
                finish(t, counter: n, now: now, into: &out)
            }
        case .star:
            let alerts = careAlerts(for: n)
            guard let t = alerts.first else { return notice(n, "counter.notice.no-alert", now: now) }
            var e = event(.careAcknowledged, now, counter: n, ticket: t)
            e.waitedMinutes = t.waitedMinutes(now: now)
            record(e, into: &out)
        case .digit(8):
            guard let t = current, t.status == .serving else { return notice(n, "counter.notice.no-ticket", now: now) }
            counterUI[n]?.unresolvedMarked.toggle()
        case .digit(9):
            if counter.status == .open {
                record(event(.counterPaused, now, counter: n), into: &out)
            } else {
                record(event(.counterOpened, now, counter: n), into: &out)
            }
        case .digit(5):
            let all = Weather.allCases
            let next = all[(all.firstIndex(of: state.weather)! + 1) % all.count]
            var e = event(.weatherSet, now, counter: n)
            e.weather = next
            record(e, into: &out)
        case .digit(0):
            guard current == nil else { return notice(n, "counter.notice.finish-first", ["ticket": current!.label], now: now) }
            record(event(.staffLoggedOut, now, counter: n), into: &out)
            record(event(.counterClosed, now, counter: n), into: &out)
        default:
            break
        }
    }

    /// Tickets past their target, not yet acknowledged, waiting for a service this counter serves.
    public func careAlerts(for counter: Int) -> [Ticket] {
        guard let c = state.counters[counter] else { return [] }
        return state.waitingTickets.filter { $0.careRaisedAt != nil && !$0.careAcknowledged && c.services.contains($0.service) }
            .sorted { $0.issuedAt < $1.issuedAt }
    }

    private mutating func logIn(staff: String, pin: String, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let member = configuration.staffMember(staff), PINHash.verify(pin: pin, against: member.pinHash) else {
            var e = event(.staffLoginFailed, now, counter: n)
            e.staff = staff
            record(e, into: &out)
            return notice(n, "counter.notice.login-failed", now: now)
        }
        if let other = state.counters.values.first(where: { $0.staff == staff && $0.number != n }) {
            return notice(n, "counter.notice.logged-in-elsewhere", ["counter": String(other.number)], now: now)
        }
        var e = event(.staffLoggedIn, now, counter: n)
        e.staff = staff
        record(e, into: &out)
        record(event(.counterOpened, now, counter: n), into: &out)
    }

    private mutating func transfer(counter n: Int, toKey key: Int, now: Date, into out: inout KioskOutput) {
        guard let label = state.counters[n]?.current, let t = state.tickets[label] else { return }
        guard let target = configuration.service(key: key), target.id != t.service else {
            return notice(n, "counter.notice.bad-transfer", now: now)
        }
        var e = event(.ticketTransferred, now, counter: n, ticket: t)
        e.fromService = t.service
        e.service = target.id
        record(e, into: &out)
    }

    private mutating func finish(_ t: Ticket, counter n: Int, now: Date, into out: inout KioskOutput) {
        // A previous resident who never answered the pad is recorded as not rated.
        if case .awaitingRating(let label, _) = state.counters[n]?.pad {
            var e = event(.notRated, now, counter: n, ticket: state.tickets[label])
            e.ticket = label
            record(e, into: &out)
        }
        let unresolved = counterUI[n]?.unresolvedMarked ?? false
        var e = event(.serviceFinished, now, counter: n, ticket: t)
        if unresolved { e.unresolved = true }
        record(e, into: &out)
        counterUI[n]?.unresolvedMarked = false
        if unresolved { openCase(ticket: t.label, counter: nil, reason: "reason.unsolved", now: now, into: &out) }
    }

    private mutating func openCase(ticket label: String, counter: Int?, reason: String?, now: Date, into out: inout KioskOutput) {
        guard let t = state.tickets[label], t.caseRef == nil else { return }
        let hours = configuration.service(t.service)?.replyDeadlineHours ?? 48
        var e = event(.caseOpened, now, counter: counter, ticket: t)
        e.caseRef = "R" + state.day.replacingOccurrences(of: "-", with: "") + "-" + String(format: "%03d", state.casesToday + 1)
        e.deadline = now.addingTimeInterval(TimeInterval(hours * 3600))
        e.reason = reason
        record(e, into: &out)
    }

    // MARK: Rating pad

    /// Offers a digit to the rating pad; true when the pad used it.
    private mutating func padTakes(digit d: Int, counter n: Int, now: Date, into out: inout KioskOutput) -> Bool {
        guard let pad = state.counters[n]?.pad else { return false }
        switch pad {
        case .idle:
            return false
        case .awaitingRating(let label, _):
            guard (1...4).contains(d) else { return true }
            var e = event(.ratingRecorded, now, counter: n, ticket: state.tickets[label])
            e.ticket = label
            e.rating = d
            e.score = [100, 67, 33, 0][d - 1]
            if let t = state.tickets[label], let c = t.counter { e.staff = e.staff ?? state.counters[c]?.staff }
            record(e, into: &out)
            if d <= 2 { showFarewell(counter: n, ticket: label, now: now, into: &out) }
            return true
        case .awaitingReason(let label, _, _):
            guard d >= 1, d <= configuration.reasons.count else { return true }
            recordReason(configuration.reasons[d - 1], ticket: label, counter: n, now: now, into: &out)
            return true
        case .commitment(let label, _, _), .farewell(_, let label?, _):
            // One rating per ticket: more presses are misuse, counted and otherwise ignored.
            guard (1...4).contains(d) else { return true }
            var e = event(.ratingMisuse, now, counter: n, ticket: state.tickets[label])
            e.ticket = label
            e.rating = d
            record(e, into: &out)
            return true
        case .farewell(_, nil, _):
            return (1...4).contains(d)
        }
    }

    private mutating func recordReason(_ reason: String?, ticket label: String, counter n: Int, now: Date, into out: inout KioskOutput) {
        var e = event(.ratingReason, now, counter: n, ticket: state.tickets[label])
        e.ticket = label
        e.reason = reason
        record(e, into: &out)
        openCase(ticket: label, counter: n, reason: reason, now: now, into: &out)
    }

    private mutating func showFarewell(counter n: Int, ticket: String?, now: Date, into out: inout KioskOutput) {
        var e = event(.farewellShown, now, counter: n, ticket: ticket.flatMap { state.tickets[$0] })
        e.ticket = ticket
        e.message = chooseFarewell(now: now)
        e.caseRef = ticket.flatMap { state.tickets[$0]?.caseRef }
        record(e, into: &out)
    }

    /// Picks the farewell by weather, else time of day, never the one shown last.
    func chooseFarewell(now: Date) -> String {
        let prefix: String
        if state.weather != .clear {
            prefix = "farewell.\(state.weather.rawValue)."
        } else {
            let hour = calendar.hour(of: now)
            prefix = hour >= 5 && hour < 12 ? "farewell.morning." : hour >= 12 && hour < 18 ? "farewell.afternoon." : "farewell.evening."
        }
        var candidates = (farewellKeys[prefix] ?? []).filter { $0 != state.lastFarewell }
        if candidates.isEmpty { candidates = (farewellKeys["farewell.morning."] ?? []) + (farewellKeys["farewell.evening."] ?? []) }
        candidates.removeAll { $0 == state.lastFarewell }
        guard !candidates.isEmpty else { return "farewell.default" }
        return candidates[state.farewellsToday % candidates.count]
    }

    /// Today's festival greeting key, if any.
    public func festivalKey(now: Date) -> String? {
        let md = calendar.monthDay(of: now)
        return configuration.festivals.first { $0.month == md.month && $0.day == md.day }?.messageKey
    }
}
