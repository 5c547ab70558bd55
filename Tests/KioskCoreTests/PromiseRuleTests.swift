import Foundation
import Testing
@testable import KioskCore

/// `keep-promises`: a priority ticket is not called ahead of a normal ticket issued before it
/// whose printed promise is due; counters and the forecast follow the same `CallOrder`.
@Suite("Keeping the promise on the ticket")
struct PromiseRuleTests {
    static func keeping(margin: Int = 0) -> (inout Configuration) -> Void {
        { $0.keepPromises = true; $0.promiseMarginMinutes = margin }
    }

    /// Seconds until the promise of the ticket just issued falls due.
    static func promised(_ h: Harness) -> Double { Double(h.last(.ticketIssued)!.estimateHigh!) * 60 }

    @Test func aNormalTicketWhosePromiseIsDueIsCalledBeforeALaterPriorityTicket() {
        var h = Harness(Self.keeping())
        h.login(1)
        let normal = h.takeTicket(1)
        h.advance(Self.promised(h))
        let priority = h.takeTicket(1, priority: true)
        h.press("+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == normal)
        h.press("EE1", .counter(1))
        h.press("+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == priority)
    }

    @Test func thePromiseCountsAsDueWithinTheMargin() {
        for (margin, expected) in [(0, "P"), (2, "N")] {
            var h = Harness(Self.keeping(margin: margin))
            h.login(1)
            h.takeTicket(1)
            h.advance(Self.promised(h) - 100)  // due in 100 s
            h.takeTicket(1, priority: true)
            h.press("+", .counter(1))
            #expect((h.last(.ticketCalled)?.priority == true ? "P" : "N") == expected, "margin \(margin)")
        }
    }

    @Test func notWhenThePromiseIsNotDue() {
        var h = Harness(Self.keeping())
        h.login(1)
        h.takeTicket(1)
        h.advance(10)
        let priority = h.takeTicket(1, priority: true)
        h.press("+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == priority)
    }

    @Test func notWhenThePriorityTicketIsOlder() {
        var h = Harness(Self.keeping())
        h.login(1)
        let priority = h.takeTicket(1, priority: true)
        h.takeTicket(1)
        h.advance(Self.promised(h) + 60)
        h.press("+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == priority)
    }

    @Test func switchedOffAPriorityTicketGoesAheadAsBefore() {
        var h = Harness { $0.keepPromises = false }
        h.login(1)
        h.takeTicket(1)
        h.advance(Self.promised(h) + 60)
        let priority = h.takeTicket(1, priority: true)
        h.press("+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == priority)
    }

    /// No promise is due within the minute and a half this takes (every range ends at 2 minutes
    /// or later): the fair ratio is unchanged.
    @Test(arguments: [(2, "PNNPNNPN"), (1, "PNPNPNPN"), (0, "PPPPNNNN")])
    func theRatioIsUnchangedWhileNoPromiseIsDue(ratio: Int, expected: String) {
        var h = Harness { $0.normalCallsPerPriority = ratio; $0.keepPromises = true; $0.promiseMarginMinutes = 0 }
        h.login(1)
        for _ in 0..<5 { h.takeTicket(1); h.advance(1) }
        for _ in 0..<4 { h.takeTicket(1, priority: true); h.advance(1) }
        var order = ""
        for _ in 0..<8 {
            h.press("+EE1", .counter(1))
            order += h.last(.ticketCalled)!.priority == true ? "P" : "N"
            h.advance(10)
        }
        #expect(order == expected)
    }

    /// A normal ticket whose promise is due within a 5-minute margin, 22 minutes after issue, and
    /// a priority ticket issued a minute after it whose own promise falls due `priorityHigh`
    /// minutes after its issue: who counter 1 calls.
    static func call(priorityHigh: Int) -> String? {
        var config = Configuration()
        config.keepPromises = true
        config.promiseMarginMinutes = 5
        var state = QueueState(configuration: config, day: "2026-11-24")
        state.tickets["A001"] = Ticket(label: "A001", number: 1, service: "repairs", priority: false, issuedAt: morning,
                                       estimateLow: 19, estimateHigh: 25)
        state.tickets["A002"] = Ticket(label: "A002", number: 2, service: "repairs", priority: true, issuedAt: morning.addingTimeInterval(60),
                                       estimateLow: 5, estimateHigh: priorityHigh)
        state.order = ["A001", "A002"]
        state.counters[1]?.status = .open
        state.counters[1]?.staff = "1001"
        return CallOrder.next(for: state.counters[1]!, state: state, configuration: config, now: morning.addingTimeInterval(22 * 60))?.label
    }

    @Test func aPriorityTicketWhosePromiseFallsDueFirstStillGoesFirst() {
        #expect(Self.call(priorityHigh: 30) == "A001", "the normal promise falls due first (25 < 31 minutes)")
        #expect(Self.call(priorityHigh: 10) == "A002", "the priority promise falls due first (11 < 25 minutes)")
    }

    @Test func aTicketAlreadyCalledHasNoPromiseAtStake() {
        var t = Ticket(label: "A001", number: 1, service: "repairs", priority: false, issuedAt: morning, estimateLow: 0, estimateHigh: 4)
        #expect(t.promiseDeadline == morning.addingTimeInterval(240))
        t.firstCalledAt = morning.addingTimeInterval(60)
        #expect(t.promiseDeadline == nil)
    }

    // MARK: The forecast follows the rule

    /// One counter, visits of exactly 5 minutes, staff who react at once.
    static func simulation(_ line: [ForecastSimulation.Waiting], margin: Double?, busyFor busy: Double = 0,
                           priorityPerSecond: Double = 0) -> ForecastSimulation {
        var counter = ForecastSimulation.SimCounter(serves: 1)
        if busy > 0 { counter.inVisit = true; counter.visitRemaining = Array(repeating: busy, count: 5) }
        var sim = ForecastSimulation(
            line: line, counters: [counter],
            times: .init(table: [Array(repeating: Array(repeating: 300, count: 5), count: 24)], typical: [300]),
            reaction: Array(repeating: 0, count: 5), normalCallsSincePriority: 2, normalCallsPerPriority: 2,
            start: morning.timeIntervalSince1970, utcOffset: 8 * 3_600)
        sim.priorityRates = [Array(repeating: priorityPerSecond, count: 24)]
        sim.promiseMargin = margin
        return sim
    }

    @Test func theSimulationCallsADueTicketBeforeALaterPriorityTicketInLine() {
        func call(deadline: Double, margin: Double?) -> Double {
            let line = [ForecastSimulation.Waiting(service: 0, priority: false, deadline: deadline), .init(service: 0, priority: true)]
            return Self.simulation(line, margin: margin).run(runs: 5, targets: [0], seed: 1)[0].max()!
        }
        #expect(call(deadline: 0, margin: nil) == 300, "off: the priority ticket's visit first")
        #expect(call(deadline: 0, margin: 0) == 0)
        #expect(call(deadline: 600, margin: 0) == 300, "not due yet")
        #expect(call(deadline: 600, margin: 600) == 0, "due within the margin")
    }

    @Test func theSimulationKeepsAPromiseAgainstPriorityTicketsStillToCome() {
        // A visit ends in 5 minutes; a priority ticket arrives every 10 s or so meanwhile.
        func call(margin: Double?) -> Double {
            let line = [ForecastSimulation.Waiting(service: 0, priority: false, deadline: 0)]
            return Self.simulation(line, margin: margin, busyFor: 300, priorityPerSecond: 0.1).run(runs: 5, targets: [0], seed: 1)[0].max()!
        }
        #expect(call(margin: nil) == 600)
        #expect(call(margin: 0) == 300)
    }

    /// On the machine: the estimate of a waiting ticket past its promise, with a later priority
    /// ticket behind it, is the visit in progress only when promises are kept.
    @Test func theForecastOfADueTicketDoesNotIncludeALaterPriorityVisit() {
        func scene(keep: Bool) -> (Harness, String) {
            var h = Harness { $0.keepPromises = keep; $0.promiseMarginMinutes = 0 }
            h.login(1)
            h.takeTicket(1)
            h.press("+E", .counter(1))  // a visit in progress
            let normal = h.takeTicket(1)
            h.advance(Self.promised(h) + 30)
            h.takeTicket(1, priority: true)
            return (h, normal)
        }
        let (kept, normal) = scene(keep: true)
        let (notKept, _) = scene(keep: false)
        let on = kept.machine.estimate(.waiting(label: normal), now: kept.now)
        let off = notKept.machine.estimate(.waiting(label: normal), now: notKept.now)
        #expect(off.point > on.point + 3, "\(on) \(off)")
        // And the counter then does what the forecast expected.
        var h = kept
        h.advance(60)
        h.press("E1+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == normal)
    }
}
