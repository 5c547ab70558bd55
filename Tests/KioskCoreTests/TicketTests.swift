import Foundation
import Testing
@testable import KioskCore

@Suite("Taking tickets")
struct TicketTests {
    @Test func serviceKeyThenEnterIssuesTheFirstNumberWithPositionAndEstimate() {
        var h = Harness { $0.estimator = "rolling" }
        let produced = h.press("1", .lobby)
        #expect(produced.isEmpty, "choosing a service records nothing yet")
        let issued = h.press("E", .lobby)
        #expect(issued.count == 1)
        let e = issued[0]
        #expect(e.type == .ticketIssued)
        #expect(e.ticket == "A001")
        #expect(e.service == "repairs")
        #expect(e.position == 1)
        #expect(e.priority == false)
        #expect(e.estimateLow == 0 && e.estimateHigh == 5)
        #expect(h.machine.lobby == .ticket(label: "A001", since: h.now))
    }

    @Test func backspaceCancelsAChoiceAndEnterOnTheTicketReturnsToTheLobby() {
        var h = Harness()
        h.press("2B", .lobby)
        #expect(h.machine.lobby == .idle)
        #expect(h.events.isEmpty)
        h.press("2EE", .lobby)
        #expect(h.machine.lobby == .idle)
        #expect(h.types() == [.ticketIssued])
    }

    @Test func ticketScreenTimesOutBackToTheLobby() {
        var h = Harness()
        h.takeTicket(1)
        h.advance(9)
        #expect(h.machine.lobby != .idle)
        h.advance(1)
        #expect(h.machine.lobby == .idle)
    }

    @Test func numbersArePerServiceAndNeverRepeatOrSkipWithinADay() {
        var h = Harness()
        var labels: [String] = []
        for key in [1, 1, 2, 1, 2, 3] { labels.append(h.takeTicket(key)) }
        #expect(labels == ["A001", "A002", "B001", "A003", "B002", "C001"])
        // A restart in the middle of the day continues the numbering.
        let restored = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        h.machine = restored
        #expect(h.takeTicket(1) == "A004")
    }

    @Test func numbersRestartAtTheConfiguredBusinessDayStart() {
        var h = Harness()
        h.takeTicket(1)
        h.takeTicket(1)
        // 03:59 the next morning is still the same business day.
        h.now = morning.addingTimeInterval(18 * 3600 + 59 * 60)
        #expect(h.takeTicket(1) == "A003")
        h.advance(60)  // 04:00
        #expect(h.last(.dayClosed)?.day == "2026-11-24")
        #expect(h.last(.dayClosed)?.detail == "walkouts=3")
        #expect(h.machine.state.day == "2026-11-25")
        #expect(h.machine.state.waitingTickets.isEmpty)
        let next = h.press("1E", .lobby).first!
        #expect(next.ticket == "A001")
        #expect(next.day == "2026-11-25")
    }

    @Test func aDayRolloverLogsStaffOutAndReplaysToTheSameState() {
        var h = Harness()
        h.login(1)
        h.takeTicket(1)
        h.now = morning.addingTimeInterval(20 * 3600)
        h.send(.tick(h.now))
        #expect(h.machine.state.counters[1]?.staff == nil)
        h.takeTicket(1)
        let restored = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        #expect(restored.state == h.machine.state)
    }

    @Test func aPadStillWaitingAtCloseIsRecordedAsNotRated() {
        var h = Harness()
        h.login(1)
        h.takeTicket(1)
        h.press("+EE", .counter(1))
        h.now = morning.addingTimeInterval(20 * 3600)
        h.send(.tick(h.now))
        let close = h.types().suffix(4)
        #expect(Array(close) == [.notRated, .staffLoggedOut, .counterClosed, .dayClosed])
    }

    @Test func exhaustedNumberRangeShowsANoticeAndIssuesNothing() {
        var h = Harness { $0.services[0].lastNumber = 2 }
        h.takeTicket(1)
        h.takeTicket(1)
        let produced = h.press("1E", .lobby)
        #expect(produced.isEmpty)
        #expect(h.machine.lobby == .notice(key: "lobby.numbers-exhausted", since: h.now))
    }

    @Test func starMarksAPriorityTicketAndItOnlyQueuesBehindOtherPriorityTickets() {
        var h = Harness()
        h.takeTicket(1)
        h.takeTicket(1)
        let e = h.press("*1E", .lobby).first!
        #expect(e.priority == true)
        #expect(e.position == 1)
    }

    @Test func zeroSwitchesTheLobbyLanguageUntilTheVisitEnds() {
        var h = Harness()
        h.press("0", .lobby)
        #expect(h.machine.lobbyLanguage == .english)
        h.press("1", .lobby)
        h.advance(10)
        #expect(h.machine.lobbyLanguage == .chinese)
    }

    @Test func aSwitchedLanguageReturnsToTheDefaultWhenTheLobbyIsLeftAlone() {
        var h = Harness()
        h.press("0", .lobby)
        h.advance(9)
        #expect(h.machine.lobbyLanguage == .english)
        h.advance(1)
        #expect(h.machine.lobbyLanguage == .chinese)
    }
}

@Suite("Numbering after a restore that lost events")
struct LostNumbersTests {
    /// `events.lost` (written by `kioskctl restore` when the restored log ends before what the
    /// kiosk had stored): each lost event may have issued one ticket of any service, so every
    /// prefix continues that many numbers above the highest it knows, once.
    @Test func numberingSkipsWhatLostEventsMayHaveUsedAndOnlyThatDay() {
        var h = Harness()
        #expect([1, 1, 2].map { h.takeTicket($0) } == ["A001", "A002", "B001"])
        let day = h.events.last!.day
        let lost = KioskEvent.lost(10...14, numbers: 5, day: day, at: h.now)
        h.machine = KioskMachine.restore(
            configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events + [lost], now: h.now)
        #expect(h.takeTicket(1) == "A008", "A002 + 5 lost + 1")
        #expect(h.takeTicket(2) == "B007")
        #expect(h.takeTicket(3) == "C006", "a service with no known ticket today skips from its first number")
        #expect(h.takeTicket(1) == "A009", "the skip is made once, not again for every ticket")
        // A restart replays the loss with the rest of the day and lands on the same numbers.
        h.machine = KioskMachine.restore(
            configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese],
            events: Array(h.events.prefix(3)) + [lost] + Array(h.events.dropFirst(3)), now: h.now)
        #expect(h.takeTicket(2) == "B008")
        h.now = morning.addingTimeInterval(24 * 3600)
        h.advance(60)
        #expect(h.takeTicket(1) == "A001", "the next business day starts again at the first number")
    }

    @Test func aLossWithoutNumbersChangesNothing() {
        var h = Harness()
        h.takeTicket(1)
        var state = h.machine.state
        state.apply(KioskEvent.lost(nil, numbers: 0, day: state.day, at: h.now))
        #expect(state == h.machine.state)
    }
}
