import Foundation
import KioskCore
import KioskTestSupport
import Testing

@testable import KioskStorage

/// `QueueState.apply` (the daemon's state, in Swift) and the SQL projections of `EventStore`
/// (what `kioskctl status/queue` reads) fold the same events. This replays seeded random event
/// streams — every event type the kiosk records, in any order, with fields present or missing,
/// several business days closed as kioskd closes them — through both, into a real SQLite file,
/// and compares every field the two have in common every few batches and at the end of each
/// day, then checks (every 10th stream) that rebuilding the projections from the log gives the
/// same tables.
///
/// `KIOSK_FOLD_STREAMS` (default 150, a few seconds; `make fold-proof` runs 5000) sets how many
/// streams; `KIOSK_FOLD_SEED` the first seed. A failure names the seed and the batch: rerun with
/// that seed and `KIOSK_FOLD_STREAMS=1`.
@Suite("QueueState and the SQL projections fold alike")
struct FoldEquivalenceTests {
    static let streams = Int(ProcessInfo.processInfo.environment["KIOSK_FOLD_STREAMS"] ?? "") ?? 150
    static let firstSeed = UInt64(ProcessInfo.processInfo.environment["KIOSK_FOLD_SEED"] ?? "") ?? 20_261_203

    @Test func randomStreamsLeaveTheSameQueueCountersCasesAndRatings() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        // The folds are what is tested, not durability: no fsync per batch (tens of thousands).
        try store.conn.exec("PRAGMA synchronous = OFF", doing: "speeding up the property test")
        let configuration = Configuration()
        var failures: [String] = []
        var events = 0
        var seen = Set<EventType>()
        for seed in Self.firstSeed..<(Self.firstSeed + UInt64(Self.streams)) {
            try clear(store)
            var generator = EventStreamGenerator(seed: seed, configuration: configuration)
            var state = QueueState(configuration: configuration, day: generator.day)
            var ratings = ExpectedRatings()
            var days: Set<String> = []
            let batches = generator.batches()
            for (number, batch) in batches.enumerated() {
                try store.append(batch, kiosk: "k")
                for e in batch {
                    ratings.record(e, before: state)
                    state.apply(e)
                    days.insert(e.day)
                    seen.insert(e.type)
                }
                events += batch.count
                // Compared every few batches, at the end of each day (before its close) and at the end.
                let endOfDay = number + 1 == batches.count || batches[number + 1].first?.type == .dayClosed
                guard endOfDay || number % 3 == Int(seed % 3) else { continue }
                let differences = try FoldComparison.differences(state: state, store: store, ratings: ratings, days: days)
                if !differences.isEmpty {
                    failures.append("seed \(seed), batch \(number) (\(batch.map(\.type.rawValue).joined(separator: ", "))): "
                                    + differences.prefix(4).joined(separator: "; "))
                    break
                }
            }
            // Every 10th stream: the tables rebuilt from the log are the ones built event by event.
            if seed % 10 == 0 {
                let incremental = try ProjectionSnapshot(store, days: days.sorted())
                try store.rebuildProjections()
                if try ProjectionSnapshot(store, days: days.sorted()) != incremental {
                    failures.append("seed \(seed): rebuilding the projections from the log gives other tables")
                }
            }
            if failures.count >= 5 { break }
        }
        #expect(failures.isEmpty, "\(failures.count) streams differ:\n\(failures.joined(separator: "\n"))")
        let produced = Set(EventType.allCases).subtracting(EventStreamGenerator.notProduced)
        #expect(seen == produced || !failures.isEmpty || Self.streams < 50, "event types never generated: \(produced.subtracting(seen).map(\.rawValue))")
        #expect(events >= Self.streams * 20 || !failures.isEmpty, "\(events) events in \(Self.streams) streams")
    }

    /// Empties the event log and the projections, for the next stream in the same file.
    func clear(_ store: EventStore) throws {
        for table in projectionTables + ["events"] {
            try store.conn.exec("DELETE FROM \(table)", doing: "clearing \(table) between streams")
        }
    }
}

/// A random stream of the kiosk's events over 2–4 business days, in batches as kioskd appends
/// them. Ticket labels are unique per day and case references unique (the machine guarantees
/// both and the store refuses duplicates); everything else is random: calls of tickets that
/// were never issued or are long finished, events without their counter, ticket, rating or
/// reason, counters that are not configured. Each day ends as kioskd's rollover ends it (pads
/// not rated, staff logged out, counters closed, `day.closed`, the weather reset).
struct EventStreamGenerator {
    /// Produced by nothing yet (a later issue adds case events); its fold is left alone.
    static let notProduced: Set<EventType> = [
        .caseAssigned, .caseResolved, .caseClosed, .caseReopened, .caseEscalated, .caseAlertAcknowledged,
        .caseContactAsked, .caseContactGiven, .caseContactSkipped, .caseContactViewed, .caseContactErased,
        .caseResidentNotified, .caseCallback,
    ]

    var rng: SplitMix64
    let configuration: Configuration
    var dayIndex = 0
    var clock: Date
    var labels: [String] = []
    var numbers: [String: Int] = [:]
    var cases = 0

    init(seed: UInt64, configuration: Configuration) {
        rng = SplitMix64(seed: seed)
        self.configuration = configuration
        clock = Date(timeIntervalSince1970: 1_795_482_000)  // 2026-11-24 09:00 Shanghai
    }

    /// The business day of the events being generated, "2026-11-24" + dayIndex.
    var day: String { String(format: "2026-11-%02d", 24 + dayIndex) }

    mutating func below(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
    mutating func pick<T>(_ list: [T]) -> T { list[below(list.count)] }

    mutating func batches() -> [[KioskEvent]] {
        var out: [[KioskEvent]] = []
        let days = 2 + below(3)
        for d in 0..<days {
            var pending: [KioskEvent] = []
            for _ in 0..<(10 + below(40)) {
                pending.append(next())
                if chance(20) {
                    out.append(pending)
                    pending = []
                }
            }
            if !pending.isEmpty { out.append(pending) }
            // kioskd's rollover: what it records before closing the day, then the close alone.
            var closing: [KioskEvent] = []
            for n in configuration.counters.map(\.number) where chance(50) {
                if chance(40), !labels.isEmpty {
                    let label = pick(labels)
                    closing.append(event(.notRated) { $0.counter = n; $0.ticket = label })
                }
                closing.append(event(.staffLoggedOut) { $0.counter = n })
                closing.append(event(.counterClosed) { $0.counter = n })
            }
            if !closing.isEmpty { out.append(closing) }
            out.append([event(.dayClosed) { $0.detail = "walkouts=0" }])
            guard d < days - 1 else { break }
            dayIndex += 1
            clock = clock.addingTimeInterval(86_400 - Double(below(3600)))
            labels = []
            numbers = [:]
            if chance(70) { out.append([event(.weatherSet) { $0.weather = .clear }]) }
        }
        return out
    }

    mutating func event(_ type: EventType, _ edit: (inout KioskEvent) -> Void = { _ in }) -> KioskEvent {
        clock = clock.addingTimeInterval(Double(1 + below(240)))
        var e = KioskEvent(type, at: clock, day: day)
        edit(&e)
        return e
    }

    /// A ticket of today (mostly), or one that was never issued.
    mutating func ticket() -> String? {
        if labels.isEmpty || chance(4) { return chance(50) ? "Z\(100 + below(900))" : nil }
        return pick(labels)
    }

    /// A configured counter (mostly), an unconfigured one, or none.
    mutating func counter(configuredOnly: Bool = false) -> Int? {
        let configured = configuration.counters.map(\.number)
        switch below(100) {
        case 0..<84: return pick(configured)
        case 84..<92 where !configuredOnly: return 7
        default: return chance(50) ? pick(configured) : nil
        }
    }

    mutating func service() -> String? {
        chance(93) ? pick(configuration.services.map(\.id)) : (chance(50) ? "other" : nil)
    }

    mutating func next() -> KioskEvent {
        let types = EventType.allCases.filter { !Self.notProduced.contains($0) && $0 != .dayClosed }
        // Visits are most of a day: issue and call more often than the rest.
        let weighted = types + Array(repeating: .ticketIssued, count: 6) + Array(repeating: .ticketCalled, count: 4)
            + [.serviceStarted, .serviceFinished, .serviceFinished, .ratingRecorded, .ratingRecorded, .ratingReason]
        let type = pick(weighted)
        switch type {
        case .ticketIssued:
            let service = configuration.services.isEmpty ? nil : pick(configuration.services)
            let prefix = service?.prefix ?? "X"
            let number = (numbers[prefix] ?? 0) + 1
            numbers[prefix] = number
            let label = prefix + String(format: "%03d", number)
            labels.append(label)
            let hasService = chance(97)
            let hasNumber = chance(95)
            let hasEstimate = chance(85)
            let low = below(30)
            let priority = chance(20)
            let withPriority = chance(90)
            return event(.ticketIssued) {
                $0.ticket = label
                $0.service = hasService ? service?.id : nil
                $0.number = hasNumber ? number : nil
                $0.priority = withPriority ? priority : nil
                if hasEstimate { $0.estimateLow = low; $0.estimateHigh = low + 5 }
                $0.position = 1
            }
        case .ticketCalled, .ticketRecalled, .ticketNoShow, .serviceStarted, .serviceFinished, .careAlertRaised,
             .careAcknowledged, .carePredicted:
            let label = ticket(), n = counter()
            return event(type) { $0.ticket = label; $0.counter = n }
        case .ticketTransferred:
            let label = ticket(), n = counter(), to = service(), from = service()
            return event(type) { $0.ticket = label; $0.counter = n; $0.service = to; $0.fromService = from }
        case .ratingRecorded:
            let label = ticket(), n = counter(), level = chance(92) ? 1 + below(4) : nil
            let withScore = chance(85), staff = chance(30) ? pick(["1001", "1002"]) : nil, service = chance(30) ? service() : nil
            return event(type) {
                $0.ticket = label; $0.counter = n; $0.rating = level; $0.staff = staff; $0.service = service
                if withScore { $0.score = level.flatMap { ReportMath.score(level: $0) } }
            }
        case .ratingReason:
            let label = ticket(), n = counter(), reason = chance(85) ? pick(configuration.reasons) : nil
            return event(type) { $0.ticket = label; $0.counter = n; $0.reason = reason }
        case .notRated, .ratingMisuse, .staffLoginFailed:
            let label = ticket(), n = counter()
            return event(type) { $0.ticket = label; $0.counter = n }
        case .caseOpened:
            cases += 1
            let ref = chance(95) ? "C-\(day)-\(cases)" : nil
            let label = ticket(), n = counter(), service = chance(50) ? service() : nil
            let reason = chance(50) ? pick(configuration.reasons) : nil, deadline = chance(90)
            return event(type) {
                $0.caseRef = ref; $0.ticket = label; $0.counter = n; $0.service = service; $0.reason = reason
                if deadline { $0.deadline = $0.time.addingTimeInterval(48 * 3600) }
            }
        case .farewellShown:
            let label = ticket(), n = counter(), message = pick(["谢谢光临", "天雨路滑，小心慢走"])
            return event(type) { $0.ticket = label; $0.counter = n; $0.message = message }
        case .farewellEnded:
            let n = counter()
            return event(type) { $0.counter = n }
        case .staffLoggedIn:
            let n = counter(configuredOnly: true), staff = chance(95) ? pick(["1001", "1002"]) : nil
            return event(type) { $0.counter = n; $0.staff = staff }
        case .staffLoggedOut, .counterOpened, .counterPaused, .counterClosed:
            let n = counter(configuredOnly: true)
            return event(type) { $0.counter = n }
        case .weatherSet:
            let weather = chance(90) ? pick([Weather.clear, .rain, .hot, .cold]) : nil
            return event(type) { $0.weather = weather }
        case .printerFailed:
            let detail = chance(80) ? "paper out" : nil
            return event(type) { $0.detail = detail }
        case .eventsLost:
            let n = below(20)
            return event(type) { $0.number = n; $0.lostFrom = 1; $0.lostThrough = Int64(n) }
        case .printerRecovered, .dayClosed, .caseAssigned, .caseContacted, .caseResolved, .caseClosed, .caseReopened, .caseEscalated, .caseAlertAcknowledged,
             .caseContactAsked, .caseContactGiven, .caseContactSkipped, .caseContactViewed, .caseContactErased,
             .caseResidentNotified, .caseCallback:
            return event(type)
        }
    }
}

/// The `ratings` log as it must read: each `rating.recorded` (with a ticket and a rating) and
/// the service, counter and staff member QueueState held for it when it was recorded (the
/// event's own fields first); a later `rating.reason` fills in the ticket's latest rating.
struct ExpectedRatings {
    var rows: [RatingRow] = []

    mutating func record(_ e: KioskEvent, before state: QueueState) {
        switch e.type {
        case .ratingRecorded:
            guard let label = e.ticket, let rating = e.rating else { return }
            let ticket = state.dayClosed ? nil : state.tickets[label]
            let counter = e.counter ?? ticket?.counter
            rows.append(
                RatingRow(
                    seq: 0, day: e.day, ticket: label, service: e.service ?? ticket?.service, counter: counter,
                    staff: e.staff ?? counter.flatMap { state.counters[$0]?.staff }, rating: rating, score: e.score,
                    reason: nil, recordedAt: e.time))
        case .ratingReason:
            guard let label = e.ticket, let reason = e.reason,
                  let i = rows.lastIndex(where: { $0.day == e.day && $0.ticket == label }) else { return }
            rows[i].reason = reason
        default:
            break
        }
    }
}

/// Field by field, what QueueState says against what the SQL projections say.
enum FoldComparison {
    static func differences(state: QueueState, store: EventStore, ratings: ExpectedRatings, days: Set<String>) throws -> [String] {
        var out: [String] = []
        func check<T: Equatable>(_ what: String, _ sql: T, _ swift: T) {
            if sql != swift { out.append("\(what): SQL \(sql), QueueState \(swift)") }
        }

        // Today's tickets (after day.closed QueueState holds none; the SQL keeps every day).
        if state.dayClosed {
            check("tickets after day.closed", 0, state.tickets.count)
        } else {
            let rows = try store.tickets(day: state.day)
            check("tickets of \(state.day) in issue order", rows.map(\.label), state.order)
            for row in rows {
                guard let t = state.tickets[row.label] else { continue }
                let l = row.label
                check("\(l) service", row.service, t.service)
                check("\(l) number", row.number ?? 0, t.number)
                check("\(l) priority", row.priority, t.priority)
                check("\(l) status", row.status, t.status.rawValue)
                check("\(l) issued", row.issuedAt, t.issuedAt)
                check("\(l) first call", row.calledAt, t.firstCalledAt)
                check("\(l) last call", row.lastCalledAt, t.lastCalledAt)
                check("\(l) recalls", row.recalls, t.recalls)
                check("\(l) counter", row.counter, t.counter)
                check("\(l) started", row.startedAt, t.startedAt)
                check("\(l) finished", row.finishedAt, t.finishedAt)
                // QueueState has no "no estimate": 0, as the lobby shows it.
                check("\(l) estimate low", row.estimateLow ?? 0, t.estimateLow)
                check("\(l) estimate high", row.estimateHigh ?? 0, t.estimateHigh)
                check("\(l) rating", row.rating, t.rating)
                check("\(l) score", row.score, t.score)
                check("\(l) rated", row.rated, t.rated)
                check("\(l) reason", row.reason, t.reason)
            }
        }

        // Configured counters (the SQL also keeps a row for any other counter an event named).
        let rows = Dictionary(try store.counters().map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a })
        for (n, c) in state.counters.sorted(by: { $0.key < $1.key }) {
            let row = rows[n]
            check("counter \(n) status", row?.status ?? "closed", c.status.rawValue)
            check("counter \(n) staff", row?.staff, c.staff)
            check("counter \(n) current ticket", row?.currentTicket, c.current)
        }

        // Every case ever opened (neither side forgets cases at day.closed).
        let cases = try store.cases()
        check("case refs", cases.map(\.ref).sorted(), state.cases.keys.sorted())
        for row in cases {
            guard let c = state.cases[row.ref] else { continue }
            check("case \(row.ref) ticket", row.ticket, c.ticket)
            check("case \(row.ref) service", row.service ?? "", c.service)
            check("case \(row.ref) opened", row.openedAt, c.openedAt)
            // QueueState's deadline of a case recorded without one is its opening time.
            check("case \(row.ref) deadline", row.deadline ?? row.openedAt, c.deadline)
            check("case \(row.ref) reason", row.reason, c.reason)
            check("case \(row.ref) status", row.status, "open")
        }

        // The ratings log, day by day.
        for day in days.sorted() {
            let stored = try store.ratings(day: day).map { r -> RatingRow in
                var r = r
                r.seq = 0
                return r
            }
            check("ratings of \(day)", stored, ratings.rows.filter { $0.day == day })
        }
        return out
    }
}
