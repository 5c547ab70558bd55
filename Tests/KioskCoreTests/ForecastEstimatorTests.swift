import Foundation
import Testing
@testable import KioskCore

/// The default estimator on the real machine: what it predicts must follow what counters do.
@Suite("Forecast estimator")
struct ForecastEstimatorTests {
    static let repairs = WaitQuestion.newTicket(service: "repairs", priority: false)

    /// Serves one repairs visit per entry at counter 1, lasting that many minutes (call → finish).
    static func history(_ h: inout Harness, minutes: [Double]) {
        for m in minutes {
            h.takeTicket(1)
            h.press("+E", .counter(1))
            h.advance(m * 60)
            h.press("E1", .counter(1))
            h.advance(10)
        }
    }

    /// The lobby's "about low–high" cell for a service key.
    static func lobbyRange(_ h: Harness, key: String) -> String {
        let screen = ScreenBuilder(catalogs: shippedCatalogs()).lobby(h.machine, now: h.now)
        for case .table(let rows) in screen.blocks {
            if let row = rows.first(where: { $0.first == key }) { return row.last ?? "" }
        }
        return ""
    }

    @Test func aTicketBehindOlderTicketsOfAnotherServiceAtItsSharedCounterWaitsForThem() {
        var h = Harness()
        h.login(1)  // counter 1 serves repairs, complaints and enquiries
        for _ in 0..<3 { h.takeTicket(3) }  // three complaints of about 10 minutes, first in line
        let forecast = h.machine.estimate(Self.repairs, now: h.now)
        let rolling = RollingWaitEstimator(window: 20, services: h.machine.configuration.services)
            .estimate(Self.repairs, state: h.machine.state, now: h.now)
        #expect(rolling.point == 0, "rolling counts only the repairs line")
        #expect(forecast.point > 20 && forecast.low >= 12, "\(forecast)")
        #expect(!forecast.noWait && forecast.countersOpen)
        #expect(Double(forecast.low) <= forecast.point && forecast.point <= Double(forecast.high))
    }

    @Test func theVisitInProgressShortensOrLengthensTheWaitAsItGoesOn() {
        var h = Harness()
        h.login(1)
        // Repairs take about 5 minutes, from 3 to 9.
        Self.history(&h, minutes: [3, 4, 5, 6, 7, 9, 5, 4, 6, 8, 5, 4])
        h.takeTicket(1)
        h.press("+E", .counter(1))
        let start = h.now
        func point(after minutes: Double) -> Double { h.machine.estimate(Self.repairs, now: start.addingTimeInterval(minutes * 60)).point }
        // A minute in, most of a visit is still to come; four minutes in, less of it.
        #expect(point(after: 1) > 3 && point(after: 1) < 6, "\(point(after: 1))")
        #expect(point(after: 4) < point(after: 1) - 1.5)
        // Eleven minutes in, past every recorded visit: not over yet, by the lognormal fitted to
        // the visits and conditioned on eleven minutes (about a minute more).
        #expect(point(after: 11) > 0.5 && point(after: 11) < 3, "\(point(after: 11))")
    }

    @Test func aRecalledResidentIsExpectedToBeMarkedANoShowSoon() {
        var h = Harness()
        h.login(1)
        // Visits of about 6 minutes, and six residents who did not come: recalled after a
        // minute, marked a no-show a minute later.
        Self.history(&h, minutes: [5, 6, 7, 6, 5, 7, 6, 6])
        for _ in 0..<6 {
            h.takeTicket(1)
            h.press("+", .counter(1))
            h.advance(60)
            h.press("-", .counter(1))
            h.advance(60)
            h.press("/", .counter(1))
            h.advance(10)
        }
        h.takeTicket(1)
        h.press("+", .counter(1))
        h.advance(70)
        let walkingUp = h.machine.estimate(Self.repairs, now: h.now)
        h.press("-", .counter(1))
        h.advance(5)
        let recalled = h.machine.estimate(Self.repairs, now: h.now)
        // Not recalled, 70 s after the call: most likely a visit of some minutes still to come;
        // recalled: the counter is free again in about a minute.
        #expect(walkingUp.point > 3, "\(walkingUp)")
        #expect(recalled.point < 1.5, "\(recalled)")
    }

    @Test func aPausedCounterLengthensTheWaitAndAClosedOneMore() {
        var h = Harness { $0.counters = [CounterConfig(number: 1, services: ["repairs"]), CounterConfig(number: 2, services: ["repairs"])] }
        h.login(1)
        h.login(2, staff: "1002")
        for _ in 0..<6 { h.takeTicket(1) }
        let open = h.machine.estimate(Self.repairs, now: h.now)
        h.press("9", .counter(2))
        #expect(h.machine.state.counters[2]?.status == .paused)
        let paused = h.machine.estimate(Self.repairs, now: h.now)
        h.press("9", .counter(2))
        h.press("0", .counter(2))
        #expect(h.machine.state.counters[2]?.status == .closed)
        let closed = h.machine.estimate(Self.repairs, now: h.now)
        #expect(paused.point > open.point + 3, "\(open) \(paused)")
        #expect(closed.point > paused.point + 3, "\(paused) \(closed)")
        #expect(paused.countersOpen && closed.countersOpen)
    }

    @Test func theLobbysEstimateChangesWhenACounterPausesAndWhenAVisitRunsOver() {
        var h = Harness { $0.counters = [CounterConfig(number: 1, services: ["repairs"]), CounterConfig(number: 2, services: ["repairs"])] }
        h.login(1)
        h.login(2, staff: "1002")
        Self.history(&h, minutes: [4, 4, 12, 4, 4, 12])
        for _ in 0..<4 { h.takeTicket(1) }
        h.press("E", .lobby)  // back to the welcome and its table
        let before = Self.lobbyRange(h, key: "1")
        h.press("9", .counter(2))
        let afterPause = Self.lobbyRange(h, key: "1")
        #expect(afterPause != before, "\(before) → \(afterPause)")
        h.press("9", .counter(2))
        h.press("+E", .counter(1))
        h.press("+E", .counter(2))
        h.advance(60)
        let earlyInVisits = Self.lobbyRange(h, key: "1")
        h.advance(5 * 60)  // both visits run past the usual 4 minutes
        let runningOver = Self.lobbyRange(h, key: "1")
        #expect(runningOver != earlyInVisits, "\(earlyInVisits) → \(runningOver)")
    }

    @Test func theSameStateGivesTheSameEstimateAndARestoredMachineTheSameEstimator() throws {
        var h = Harness()
        h.login(1)
        h.login(2, staff: "1002")
        Self.history(&h, minutes: [5, 7, 3, 9, 6, 4])
        for key in [1, 3, 6, 2, 1, 6] { h.takeTicket(key) }
        h.press("+", .counter(1))
        h.advance(90)
        let questions: [WaitQuestion] = [Self.repairs, .newTicket(service: "enquiries", priority: true), .waiting(label: "F002")]
        let first = questions.map { h.machine.estimate($0, now: h.now) }
        #expect(first == questions.map { h.machine.estimate($0, now: h.now) })
        let restored = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        let mine = try #require(h.machine.estimator as? ForecastWaitEstimator)
        #expect(restored.estimator as? ForecastWaitEstimator == mine)
        #expect(first == questions.map { restored.estimate($0, now: h.now) })
        for e in first { #expect(Double(e.low) <= e.point && e.point <= Double(e.high), "\(e)") }
    }

    @Test func noWaitOnlyWhenACounterIsFreeNow() {
        var h = Harness()
        let closed = h.machine.estimate(Self.repairs, now: h.now)
        #expect(!closed.noWait && !closed.countersOpen, "no counter open: assume one opens")
        #expect(closed.high >= 1)
        h.login(1)
        #expect(h.machine.estimate(Self.repairs, now: h.now).noWait)
        h.takeTicket(1)
        h.press("+E", .counter(1))
        let busy = h.machine.estimate(Self.repairs, now: h.now)
        #expect(!busy.noWait, "nobody waits, but the only counter is busy")
        #expect(busy.point > 1 && busy.high >= 2)
    }

    @Test func theTicketStoresTheForecastOfTheMomentItIsIssued() {
        var h = Harness()
        h.login(1)
        for _ in 0..<2 { h.takeTicket(1) }
        let expected = h.machine.estimate(Self.repairs, now: h.now)
        h.takeTicket(1)
        let issued = h.last(.ticketIssued)
        #expect(issued?.estimateLow == expected.low && issued?.estimateHigh == expected.high)
        #expect(issued?.estimateSeconds == Int((expected.point * 60).rounded()))
    }
}

@Suite("Proactive care alert")
struct CarePredictionTests {
    @Test func aTicketForecastToPassItsTargetIsShownAtItsCountersOnceBeforeTheAlert() {
        var h = Harness()
        h.login(1)
        h.login(2, staff: "1002")
        h.takeTicket(1)
        h.press("+E", .counter(1))  // A001 in service, about 6 minutes
        h.takeTicket(1)  // A002: about 6 minutes to wait
        h.takeTicket(1)  // A003: about 12, past the 10-minute target
        h.advance(1)
        let predicted = h.events.filter { $0.type == .carePredicted }
        #expect(predicted.map(\.ticket) == ["A003"])
        #expect(predicted.first?.waitedMinutes == 0)
        #expect((predicted.first?.estimateSeconds ?? 0) > 600)
        #expect(h.machine.carePredictions(for: 1).map(\.label) == ["A003"])
        #expect(h.machine.carePredictions(for: 2).isEmpty, "counter 2 does not serve repairs")
        #expect(h.machine.careAlerts(for: 1).isEmpty, "a forecast is not the alert")
        let screen = ScreenBuilder(catalogs: shippedCatalogs()).counter(1, h.machine, now: h.now)
        #expect(screen.blocks.contains { if case .text(let s, _) = $0 { return s.hasPrefix("A003 已等候 0 分钟，预计共需等候约") }; return false })
        for _ in 0..<(10 * 60) { h.advance(1) }
        #expect(h.events.filter { $0.type == .carePredicted && $0.ticket == "A003" }.count == 1, "once per ticket")
        #expect(h.last(.careAlertRaised)?.ticket == "A003", "then the alert when it really passes")
        #expect(h.machine.carePredictions(for: 1).isEmpty)
        #expect(h.machine.careAlerts(for: 1).map(\.label).contains("A003"))
        let restored = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        #expect(restored.state == h.machine.state)
    }

    @Test func noForecastAlertWhileTheLineIsShort() {
        var h = Harness()
        h.login(1)
        h.takeTicket(1)
        h.takeTicket(1)
        for _ in 0..<120 { h.advance(1) }
        #expect(!h.types().contains(.carePredicted))
    }
}
