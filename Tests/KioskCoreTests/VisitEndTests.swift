import Foundation
import Testing
@testable import KioskCore

extension Harness {
    /// Logs in counter 1, issues a repairs ticket, serves and finishes it.
    @discardableResult
    mutating func servedVisit(serviceKey: Int = 1, markUnresolved: Bool = false) -> String {
        if machine.state.counters[1]?.staff == nil { login(1) }
        let label = takeTicket(serviceKey)
        press("+E", .counter(1))
        advance(60)
        if markUnresolved { press("8", .counter(1)) }
        press("E", .counter(1))
        return label
    }
}

@Suite("Rating, cases and farewell")
struct VisitEndTests {
    @Test(arguments: [(1, 100), (2, 67)])
    func aGoodRatingIsRecordedOnceAndTheFarewellFollows(key: Int, score: Int) {
        var h = Harness()
        let label = h.servedVisit()
        h.press(String(key), .counter(1))
        let rating = h.last(.ratingRecorded)!
        #expect(rating.ticket == label && rating.rating == key && rating.score == score && rating.staff == "1001")
        #expect(h.types().last == .farewellShown)
        // Repeated presses: ignored as ratings, counted as misuse.
        h.press("1", .counter(1))
        h.press("4", .counter(1))
        #expect(h.types().filter { $0 == .ratingRecorded }.count == 1)
        #expect(h.types().filter { $0 == .ratingMisuse }.count == 2)
        #expect(!h.types().contains(.caseOpened))
    }

    @Test func noAnswerWithinTheTimeoutIsRecordedAsNotRated() {
        var h = Harness()
        h.servedVisit()
        h.advance(29)
        #expect(!h.types().contains(.notRated))
        h.advance(1)
        #expect(h.types().suffix(2) == [.notRated, .farewellShown])
    }

    @Test func aLowRatingAsksWhyAndOpensACaseWithADeadline() {
        var h = Harness()
        let label = h.servedVisit()
        h.press("4", .counter(1))
        guard case .awaitingReason = h.machine.state.counters[1]!.pad else { Issue.record("expected reason question"); return }
        h.press("2", .counter(1))
        let reason = h.last(.ratingReason)!
        #expect(reason.reason == "reason.attitude")
        let opened = h.last(.caseOpened)!
        #expect(opened.ticket == label)
        #expect(opened.caseRef == "R20261124-001")
        #expect(opened.deadline == h.now.addingTimeInterval(48 * 3600))
        #expect(h.machine.state.counters[1]?.pad == .commitment(ticket: label, caseRef: "R20261124-001", since: h.now))
        // The commitment stays up, then the farewell repeats the case number.
        h.advance(15)
        let farewell = h.last(.farewellShown)!
        #expect(farewell.caseRef == "R20261124-001")
    }

    @Test func theReasonQuestionTimesOutIntoACaseWithoutAReason() {
        var h = Harness()
        h.servedVisit()
        h.press("3", .counter(1))
        h.advance(20)
        #expect(h.last(.ratingReason)?.reason == nil)
        #expect(h.last(.caseOpened)?.reason == nil)
    }

    @Test func replyDeadlineComesFromTheService() {
        var h = Harness { $0.services[0].replyDeadlineHours = 6 }
        h.servedVisit()
        h.press("41", .counter(1))
        #expect(h.last(.caseOpened)?.deadline == h.now.addingTimeInterval(6 * 3600))
    }

    @Test func aComplaintMarkedUnresolvedOpensACaseEvenWithAGoodRating() {
        var h = Harness()
        let label = h.servedVisit(serviceKey: 3, markUnresolved: true)
        #expect(h.last(.serviceFinished)?.unresolved == true)
        #expect(h.last(.caseOpened)?.ticket == label)
        h.press("1", .counter(1))
        #expect(h.last(.farewellShown)?.caseRef == h.last(.caseOpened)?.caseRef)
        #expect(h.types().filter { $0 == .caseOpened }.count == 1)
    }

    @Test func finishingTheNextVisitRecordsAnUnansweredPadAsNotRated() {
        var h = Harness()
        let first = h.servedVisit()
        h.servedVisit()
        #expect(h.events.first { $0.type == .notRated }?.ticket == first)
    }

    @Test func farewellFollowsWeatherAndNeverRepeatsForTwoResidentsInARow() {
        var h = Harness()
        var shown: [String] = []
        for _ in 0..<4 {
            h.servedVisit()
            h.press("1", .counter(1))
            shown.append(h.last(.farewellShown)!.message!)
            h.advance(10)
        }
        for (a, b) in zip(shown, shown.dropFirst()) { #expect(a != b) }
        #expect(shown.allSatisfy { $0.hasPrefix("farewell.morning.") })
        h.send(.setWeather(.rain, at: h.now))
        h.servedVisit()
        h.press("2", .counter(1))
        #expect(h.last(.farewellShown)!.message!.hasPrefix("farewell.rain."))
    }

    @Test func farewellExpiresBackToTheIdlePad() {
        var h = Harness()
        h.servedVisit()
        h.press("1", .counter(1))
        h.advance(8)
        #expect(h.machine.state.counters[1]?.pad == .idle)
    }
}

@Suite("Care for long waits")
struct CareTests {
    @Test func passingTheTargetRaisesOneAlertThatStaffAcknowledge() {
        var h = Harness()
        h.login(1)
        let label = h.takeTicket(1)
        h.advance(9 * 60 + 59)
        #expect(!h.types().contains(.careAlertRaised))
        h.advance(1)
        #expect(h.last(.careAlertRaised)?.ticket == label)
        #expect(h.last(.careAlertRaised)?.waitedMinutes == 10)
        h.advance(60)
        #expect(h.types().filter { $0 == .careAlertRaised }.count == 1, "raised once")
        #expect(h.machine.careAlerts(for: 1).map(\.label) == [label])
        #expect(h.machine.careAlerts(for: 2).isEmpty, "counter 2 does not serve repairs")
        h.press("*", .counter(1))
        #expect(h.last(.careAcknowledged)?.ticket == label)
        #expect(h.last(.careAcknowledged)?.staff == "1001")
        #expect(h.machine.careAlerts(for: 1).isEmpty)
    }

    @Test func theTargetIsPerService() {
        var h = Harness { $0.services[1].targetWaitMinutes = 3 }
        h.takeTicket(2)
        h.advance(180)
        #expect(h.last(.careAlertRaised)?.ticket == "B001")
    }
}

@Suite("Wait estimates")
struct EstimateTests {
    @Test func theEstimateUsesRollingServiceTimesAndOpenCounters() {
        var h = Harness { $0.estimator = "rolling" }
        h.login(1)
        // Three repairs visits of 8 minutes from call to finish.
        for _ in 0..<3 {
            h.takeTicket(1)
            h.press("+E", .counter(1))
            h.advance(8 * 60)
            h.press("E1", .counter(1))
            h.advance(10)
        }
        for _ in 0..<3 { h.takeTicket(1) }
        // 3 ahead × 8 min / 1 counter = 24 min → "20–25".
        let e = h.press("1E", .lobby).first!
        #expect(e.position == 4)
        #expect(e.estimateLow == 20 && e.estimateHigh == 25)
    }

    @Test func twoOpenCountersHalveTheWait() {
        var h = Harness { $0.estimator = "rolling"
            $0.counters = [CounterConfig(number: 1, services: ["repairs"]), CounterConfig(number: 2, services: ["repairs", "fees"])]
            $0.services = Array($0.services.prefix(2)) }
        h.login(1)
        h.login(2, staff: "1002")
        for _ in 0..<4 { h.takeTicket(1) }
        // 4 ahead × 6 min typical / 2 counters = 12 min → "10–15".
        let e = h.press("1E", .lobby).first!
        #expect(e.estimateLow == 10 && e.estimateHigh == 15)
        #expect(h.machine.estimate(.newTicket(service: h.machine.configuration.services[0].id, priority: false), now: h.now).countersOpen)
    }
}
