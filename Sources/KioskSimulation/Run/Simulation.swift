import Foundation
import KioskCore
import KioskRuntime

/// Something the simulation cannot go on from (an estimator that is not deterministic, a state
/// folder that cannot be used), with what to do.
public struct SimulationError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The result of one seed: its figures and where its state folder is.
public struct SeedRun: Sendable {
    public var seed: UInt64
    public var stateDirectory: String
    public var figures: SimulationFigures
    /// The tickets residents were handed, by business day.
    public var issued: [IssuedTickets]
    var tally: FigureTally
}

/// The labels of the tickets handed out on one business day, in order.
public struct IssuedTickets: Codable, Equatable, Sendable {
    public var day: String
    public var tickets: [String]
}

/// Runs a scenario's days through the real kiosk (`KioskService`: the pure machine and the SQLite
/// event store, committed as kioskd commits) on a virtual clock: residents press lobby keys,
/// staff press counter keys, residents rate on the pad, and the clock ticks every `tick`
/// seconds, all at simulated times and without sleeping. Beside it every estimator of
/// `WaitEstimators.all` is run as a shadow on the same events (`ShadowEstimators`).
public final class Simulation {
    let scenario: Scenario
    let setup: KioskSetup
    let only: [String]?
    let calendar: Calendar

    /// - Parameter estimators: the names to evaluate (nil: all); the configured one always is.
    public init(scenario: Scenario, setup: KioskSetup, estimators: [String]? = nil) {
        self.scenario = scenario
        self.setup = setup
        self.only = estimators
        var c = Calendar(identifier: .gregorian)
        c.timeZone = setup.configuration.timeZone
        calendar = c
    }

    var configuration: Configuration { setup.configuration }

    /// Local midnight of the `index`-th simulated day (warm-up days first).
    func midnight(_ index: Int) throws -> Date {
        let parts = scenario.firstDate.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let first = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
              let day = calendar.date(byAdding: .day, value: index, to: first) else {
            throw SimulationError("first-date \(scenario.firstDate) is not a date; write it YYYY-MM-DD")
        }
        return day
    }

    /// Runs every day of the scenario for one seed into `stateDirectory` (a new or empty folder).
    public func run(seed: UInt64, stateDirectory: String) throws -> SeedRun {
        if FileManager.default.fileExists(atPath: stateDirectory + "/kiosk.sqlite") {
            throw SimulationError("\(stateDirectory) already holds a kiosk's events; give kiosk-sim an empty --state-dir (or remove it)")
        }
        let start = try midnight(0).addingTimeInterval(Double(scenario.opens - 3600))
        let service = try KioskService(setup: setup, stateDirectory: stateDirectory, now: start)
        var run = DayRunner(simulation: self, service: service, seed: seed)
        let total = scenario.warmUpDays + scenario.days
        for index in 0..<total {
            try run.day(index, midnight: try midnight(index), measured: index >= scenario.warmUpDays)
        }
        // The next morning's first tick closes the last day (its walk-outs are counted).
        let next = try midnight(total).addingTimeInterval(Double(configuration.businessDayStartHour * 3600 + 60))
        try run.input(.tick(next))
        var tally = run.tally
        tally.days = run.measuredDays
        return SeedRun(seed: seed, stateDirectory: stateDirectory, figures: tally.figures, issued: run.issued, tally: tally)
    }

    /// Seeds pooled: each estimator's tickets of every seed in one fold.
    public static func pooled(_ runs: [SeedRun]) -> SimulationFigures? {
        guard var tally = runs.first?.tally else { return nil }
        for r in runs.dropFirst() { tally.merge(r.tally) }
        return tally.figures
    }
}

/// One seed's days: the kiosk, the shadows, the people and the agenda.
struct DayRunner {
    enum Happening {
        case arrive(Int)
        case staff(counter: Int, token: Int)
        case rate(counter: Int, label: String, level: Int)
        case reason(counter: Int, label: String, digit: Int)
    }

    let simulation: Simulation
    let service: KioskService
    let seed: UInt64
    var scenario: Scenario { simulation.scenario }
    var configuration: Configuration { simulation.configuration }
    var shadows: ShadowEstimators
    var tally: FigureTally
    var measuredDays: [String] = []
    var issued: [IssuedTickets] = []
    /// Committed events not yet looked at (filled by the service's adapter).
    let committed = Committed()

    // The day in progress.
    var midnight = Date(timeIntervalSince1970: 0)
    var measured = false
    var residents: [Resident] = []
    var residentOfTicket: [String: Int] = [:]
    var estimates: [String: [WaitEstimate]] = [:]
    var issuedAt: [String: Date] = [:]
    var firstCalled: Set<String> = []
    var busySince: [Int: Date] = [:]
    var staff: [Int: CounterStaff] = [:]
    var agenda = Agenda<Happening>()
    var random: SplitMix64

    final class Committed { var events: [KioskEvent] = [] }

    init(simulation: Simulation, service: KioskService, seed: UInt64) {
        self.simulation = simulation
        self.service = service
        self.seed = seed
        shadows = ShadowEstimators(configuration: simulation.configuration, state: service.machine.state, only: simulation.only)
        let hours = (simulation.scenario.opens / 3600)...min(23, simulation.scenario.closes / 3600 + 1)
        tally = FigureTally(names: shadows.names, configured: shadows.configured, hours: hours)
        random = SplitMix64(seed: SplitMix64.hash("staff/\(seed)"))
        let sink = committed
        service.addAdapter { output in
            sink.events += output.events
            return []
        }
    }

    func date(_ t: Int) -> Date { midnight.addingTimeInterval(Double(t)) }
    func timeOfDay(_ d: Date) -> Double { d.timeIntervalSince(midnight) }

    // MARK: The day

    mutating func day(_ index: Int, midnight: Date, measured: Bool) throws {
        self.midnight = midnight
        self.measured = measured
        residents = Resident.day(scenario, seed: seed, day: index)
        residentOfTicket = [:]; estimates = [:]; issuedAt = [:]; firstCalled = []; busySince = [:]
        agenda = Agenda()
        staff = [:]
        for plan in scenario.counters {
            staff[plan.number] = CounterStaff(plan: plan)
            wake(plan.number, at: plan.login)
        }
        for (i, r) in residents.enumerated() { agenda.add(.arrive(i), at: r.arrival) }
        let dayName = LocalCalendar(configuration).businessDay(of: date(scenario.opens))
        if measured { measuredDays.append(dayName) }

        let firstLogin = scenario.counters.map(\.login).min() ?? scenario.opens
        var nextTick = min(firstLogin, scenario.opens) - scenario.tickSeconds
        let hardStop = scenario.closes + 6 * 3600
        var lastActivity = nextTick
        while true {
            let nextItem = agenda.nextTime
            if let t = nextItem, t <= nextTick {
                let (time, item) = agenda.removeFirst()!
                lastActivity = time
                try happen(item, at: time)
                continue
            }
            // Nothing left but the clock: tick on a little so pads and farewells finish.
            if nextItem == nil && nextTick > lastActivity + 120 { break }
            if nextTick > hardStop { break }
            try input(.tick(date(nextTick)))
            nextTick += scenario.tickSeconds
        }
        if measured {
            tally.totals.walkOuts += issuedAt.keys.filter { !firstCalled.contains($0) }.count
        }
    }

    /// One input through the kiosk, then its committed events through the figures and shadows.
    mutating func input(_ input: KioskInput) throws {
        service.handle(input)
        if let problem = service.storageProblem {
            throw SimulationError("the kiosk could not store its events: \(problem)")
        }
        let events = committed.events
        committed.events = []
        guard !events.isEmpty else { return }
        for e in events { count(e) }
        shadows.observe(events)
    }

    /// Presses keys at a station; returns the events they committed.
    @discardableResult
    mutating func press(_ keys: [Key], _ station: StationID, at t: Int) throws -> [KioskEvent] {
        var produced: [KioskEvent] = []
        for key in keys {
            service.handle(.key(key, station: station, at: date(t)))
            if let problem = service.storageProblem { throw SimulationError("the kiosk could not store its events: \(problem)") }
            let events = committed.events
            committed.events = []
            for e in events { count(e) }
            shadows.observe(events)
            produced += events
        }
        return produced
    }

    // MARK: Figures

    mutating func count(_ e: KioskEvent) {
        guard measured else { return }
        switch e.type {
        case .ticketIssued:
            tally.totals.tickets += 1
        case .ticketCalled:
            guard let label = e.ticket else { return }
            if let n = e.counter { busySince[n] = e.time }
            guard !firstCalled.contains(label) else { return }
            firstCalled.insert(label)
            guard let issuedTime = issuedAt[label], let answers = estimates[label] else { return }
            let wait = e.time.timeIntervalSince(issuedTime)
            for (i, a) in answers.enumerated() {
                tally.tallies[i].add(low: a.low, high: a.high, estimateSeconds: Int((a.point * 60).rounded()), waitSeconds: wait)
            }
        case .serviceFinished, .ticketNoShow, .ticketTransferred:
            if e.type == .serviceFinished { tally.totals.served += 1 }
            if e.type == .ticketNoShow { tally.totals.noShows += 1 }
            if let n = e.counter, let since = busySince.removeValue(forKey: n) {
                tally.addBusy(counter: n, from: timeOfDay(since), to: timeOfDay(e.time))
            }
        default:
            break
        }
    }

    // MARK: People

    mutating func wake(_ counter: Int, at t: Int) {
        guard var s = staff[counter] else { return }
        if let pending = s.wakeAt, pending <= t { return }
        s.token += 1
        s.wakeAt = t
        staff[counter] = s
        agenda.add(.staff(counter: counter, token: s.token), at: t)
    }

    mutating func reaction() -> Int { max(1, Int(scenario.reaction.sample(&random).rounded())) }

    mutating func happen(_ item: Happening, at t: Int) throws {
        switch item {
        case .arrive(let i): try arrive(i, at: t)
        case .staff(let n, let token):
            guard let s = staff[n], s.token == token else { return }
            staff[n]?.wakeAt = nil
            try act(n, at: t)
        case .rate(let n, let label, let level):
            guard case .awaitingRating(label, _)? = service.machine.state.counters[n]?.pad else { return }
            let produced = try press([.digit(level)], .counter(n), at: t)
            if produced.contains(where: { $0.type == .ratingRecorded }), level >= 3 {
                let digit = min(residents[residentOfTicket[label] ?? 0].reason, max(configuration.reasons.count, 1))
                agenda.add(.reason(counter: n, label: label, digit: digit), at: t + 5)
            }
        case .reason(let n, let label, let digit):
            guard case .awaitingReason(label, _, _)? = service.machine.state.counters[n]?.pad else { return }
            try press([.digit(digit)], .counter(n), at: t)
        }
    }

    /// A resident takes a ticket: the service key (after `*` for priority), then Enter. Just
    /// before Enter every shadow estimator is asked what the kiosk's own is about to answer.
    mutating func arrive(_ i: Int, at t: Int) throws {
        let r = residents[i]
        guard let plan = configuration.service(r.service) else { return }
        try press((r.priority ? [.star] : []) + [.digit(plan.key)], .lobby, at: t)
        let answers = shadows.newTicket(service: r.service, priority: r.priority, state: service.machine.state, now: date(t))
        let produced = try press([.enter], .lobby, at: t)
        guard let issuedEvent = produced.first(where: { $0.type == .ticketIssued }), let label = issuedEvent.ticket else {
            throw SimulationError("a resident pressed \(r.priority ? "* " : "")\(plan.key) Enter at the lobby and got no ticket (numbers of \(r.service) used up? widen numbers = in kiosk.conf)")
        }
        let own = answers[shadows.configured]
        let stored = (issuedEvent.estimateLow, issuedEvent.estimateHigh, issuedEvent.estimateSeconds)
        guard stored == (own.low, own.high, Int((own.point * 60).rounded())) else {
            throw SimulationError("""
                ticket \(label): the estimator '\(shadows.names[shadows.configured])' run beside the kiosk answered \
                \(own.low)–\(own.high) min (point \(own.point) min), but the ticket stored \
                \(stored.0.map(String.init) ?? "nil")–\(stored.1.map(String.init) ?? "nil") min (\(stored.2.map(String.init) ?? "nil") s). \
                An estimator must depend only on the events it observed, the state and now (see WaitEstimator); fix it before comparing figures
                """)
        }
        residentOfTicket[label] = i
        if issued.last?.day != issuedEvent.day { issued.append(IssuedTickets(day: issuedEvent.day, tickets: [])) }
        issued[issued.count - 1].tickets.append(label)
        estimates[label] = answers
        issuedAt[label] = issuedEvent.time
        for n in staff.keys.sorted() where staff[n]!.phase == .idle && staff[n]!.plan.services.contains(r.service) {
            wake(n, at: t + reaction())
        }
    }

    /// What the staff member at counter `n` does now, and when they look again.
    mutating func act(_ n: Int, at t: Int) throws {
        guard var s = staff[n] else { return }
        let station = StationID.counter(n)
        let retry = t + scenario.tickSeconds
        switch s.phase {
        case .done:
            return
        case .loggedOut:
            let produced = try press(s.loginKeys, station, at: t)
            guard produced.contains(where: { $0.type == .staffLoggedIn }) else {
                throw SimulationError("staff \(s.plan.staff) could not log in at counter \(n) with PIN \(s.plan.pin); check [counter \(n)] of the scenario")
            }
            staff[n]?.phase = .idle
            wake(n, at: t + reaction())
        case .idle:
            if let pause = s.nextPause(now: t), t >= pause.lowerBound {
                let produced = try press([CounterStaff.key(.pause)], station, at: t)
                staff[n]?.pausesTaken = s.pausesTaken
                if produced.contains(where: { $0.type == .counterPaused }) {
                    staff[n]?.pausesTaken += 1
                    staff[n]?.phase = .paused(until: pause.upperBound)
                    wake(n, at: pause.upperBound)
                } else {
                    wake(n, at: retry)  // the resident is still at the rating pad
                }
                return
            }
            staff[n]?.pausesTaken = s.pausesTaken
            // A long wait shown at this counter: acknowledged (someone goes over) before the next call.
            if !service.machine.careAlerts(for: n).isEmpty { try press([CounterStaff.key(.care)], station, at: t) }
            let state = service.machine.state
            if let counter = state.counters[n],
               CallOrder.next(for: counter, state: state, configuration: configuration, now: date(t)) != nil {
                let produced = try press([CounterStaff.key(.call)], station, at: t)
                guard let call = produced.first(where: { $0.type == .ticketCalled }), let label = call.ticket else {
                    return wake(n, at: retry)
                }
                let i = residentOfTicket[label] ?? 0
                staff[n]?.phase = .called(label: label, resident: i, recalls: 0)
                wake(n, at: t + (residents[i].noShow ? scenario.recallAfter : residents[i].walkUp + reaction()))
            } else if t >= scenario.closes {
                let produced = try press([CounterStaff.key(.logOut)], station, at: t)
                if produced.contains(where: { $0.type == .staffLoggedOut }) { staff[n]?.phase = .done } else { wake(n, at: retry) }
            } else {
                // Nobody to call: an arrival wakes them; a break or the closing time does too.
                wake(n, at: min(s.nextPause(now: t)?.lowerBound ?? scenario.closes, scenario.closes))
            }
        case .called(let label, let i, let recalls):
            if residents[i].noShow {
                if recalls < configuration.recallsBeforeNoShow {
                    try press([CounterStaff.key(.recall)], station, at: t)
                    staff[n]?.phase = .called(label: label, resident: i, recalls: recalls + 1)
                    wake(n, at: t + (recalls + 1 < configuration.recallsBeforeNoShow ? scenario.recallAfter : scenario.noShowAfter))
                } else {
                    try press([CounterStaff.key(.noShow)], station, at: t)
                    staff[n]?.phase = .idle
                    wake(n, at: t + reaction())
                }
            } else {
                try press([CounterStaff.key(.startFinish)], station, at: t)
                staff[n]?.phase = .serving(label: label, resident: i)
                wake(n, at: t + residents[i].serviceTime)
            }
        case .serving(let label, let i):
            try press([CounterStaff.key(.startFinish)], station, at: t)
            staff[n]?.phase = .idle
            if let level = residents[i].rating {
                agenda.add(.rate(counter: n, label: label, level: level), at: t + residents[i].ratingDelay)
            }
            wake(n, at: t + reaction())
        case .paused:
            try press([CounterStaff.key(.pause)], station, at: t)
            staff[n]?.phase = .idle
            wake(n, at: t + reaction())
        }
    }
}
