import Foundation
import Testing
@testable import KioskCore

@Suite("Counters and staff")
struct CounterTests {
    @Test func staffLogInWithNumberAndPINAndThePINIsNeverRecorded() {
        var h = Harness()
        h.login(1, pin: "9999")
        #expect(h.types() == [.staffLoginFailed])
        #expect(h.machine.state.counters[1]?.staff == nil)
        h.login(1)
        #expect(h.types() == [.staffLoginFailed, .staffLoggedIn, .counterOpened])
        #expect(h.machine.state.counters[1]?.staff == "1001")
        let json = String(data: try! KioskEvent.makeEncoder().encode(h.events), encoding: .utf8)!
        #expect(!json.contains("1234") && !json.contains("9999"))
    }

    @Test func theSameStaffCannotBeLoggedInAtTwoCounters() {
        var h = Harness()
        h.login(1)
        h.login(2)
        #expect(h.machine.state.counters[2]?.staff == nil)
        #expect(h.machine.counterUI[2]?.notice?.key == "counter.notice.logged-in-elsewhere")
    }

    @Test func keysBeforeLoginOnlyExplainHowToLogIn() {
        var h = Harness()
        h.takeTicket(1)
        h.press("+", .counter(1))
        #expect(h.types() == [.ticketIssued])
        #expect(h.machine.counterUI[1]?.notice?.key == "counter.notice.login-first")
    }

    @Test func callStartFinishIsAVisitAndTheCallIsAnnounced() {
        var h = Harness()
        h.login(1)
        let label = h.takeTicket(1)
        h.advance(120)
        h.press("+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == label)
        #expect(h.last(.ticketCalled)?.staff == "1001")
        #expect(h.announcements == [Announcement(ticket: label, counter: 1)])
        #expect(h.machine.state.recentlyCalled.first == CalledTicket(label: label, counter: 1))
        h.press("E", .counter(1))
        #expect(h.machine.state.tickets[label]?.status == .serving)
        h.advance(300)
        h.press("E", .counter(1))
        #expect(h.machine.state.tickets[label]?.status == .finished)
        #expect(h.machine.state.counters[1]?.pad == .awaitingRating(ticket: label, since: h.now))
    }

    @Test func callingNextWhileATicketIsOpenIsRefused() {
        var h = Harness()
        h.login(1)
        h.takeTicket(1)
        h.takeTicket(1)
        h.press("+", .counter(1))
        h.press("+", .counter(1))
        #expect(h.types().filter { $0 == .ticketCalled }.count == 1)
        #expect(h.machine.counterUI[1]?.notice?.key == "counter.notice.start-first")
    }

    @Test func noShowNeedsTheConfiguredRecallsFirst() {
        var h = Harness { $0.recallsBeforeNoShow = 2 }
        h.login(1)
        let label = h.takeTicket(1)
        h.press("+/", .counter(1))
        #expect(!h.types().contains(.ticketNoShow))
        h.press("-/", .counter(1))
        #expect(!h.types().contains(.ticketNoShow))
        h.press("-/", .counter(1))
        #expect(h.last(.ticketNoShow)?.ticket == label)
        #expect(h.machine.state.tickets[label]?.status == .noShow)
        #expect(h.machine.state.counters[1]?.current == nil)
        #expect(h.announcements.count == 3, "the call and both recalls are announced")
    }

    @Test func transferKeepsTheOriginalTimeSoTheResidentKeepsTheirPlace() {
        var h = Harness()
        h.login(1)
        h.login(2, staff: "1002")
        let first = h.takeTicket(1)  // repairs, counter 1
        h.advance(60)
        let fee = h.takeTicket(2)  // fees, counter 2 only
        h.press("+", .counter(1))
        h.press(".2", .counter(1))
        #expect(h.last(.ticketTransferred)?.service == "fees")
        #expect(h.last(.ticketTransferred)?.fromService == "repairs")
        #expect(h.machine.state.tickets[first]?.status == .waiting)
        h.press("+", .counter(2))
        #expect(h.last(.ticketCalled)?.ticket == first, "transferred A001 was taken before B001")
        _ = fee
    }

    @Test func aPausedCounterCallsNobodyUntilResumed() {
        var h = Harness()
        h.login(1)
        h.takeTicket(1)
        h.press("9+", .counter(1))
        #expect(h.types().last == .counterPaused)
        #expect(!h.types().contains(.ticketCalled))
        h.press("9+", .counter(1))
        #expect(h.types().suffix(2) == [.counterOpened, .ticketCalled])
    }

    @Test func logOutClosesTheCounter() {
        var h = Harness()
        h.login(1)
        h.press("0", .counter(1))
        #expect(h.types().suffix(2) == [.staffLoggedOut, .counterClosed])
        #expect(h.machine.state.counters[1]?.status == .closed)
    }

    @Test(arguments: [(2, "PNNPNNPN"), (1, "PNPNPNPN"), (0, "PPPPNNNN")])
    func priorityIsFairWhileBothKindsWait(ratio: Int, expected: String) {
        var h = Harness { $0.normalCallsPerPriority = ratio }
        h.login(1)
        for _ in 0..<5 { h.takeTicket(1); h.advance(1) }
        for _ in 0..<4 { h.takeTicket(1, priority: true); h.advance(1) }
        var order = ""
        for _ in 0..<8 {
            h.press("+EE1", .counter(1))  // call, start, finish, rate
            let called = h.last(.ticketCalled)!
            order += called.priority == true ? "P" : "N"
            h.advance(10)
        }
        #expect(order == expected)
    }

    @Test func aLatePriorityTicketGoesAheadAfterNormalCalls() {
        var h = Harness()
        h.login(1)
        for _ in 0..<4 { h.takeTicket(1) }
        h.press("+EE1", .counter(1))
        h.press("+EE1", .counter(1))
        h.advance(20)
        let p = h.takeTicket(1, priority: true)
        h.press("+", .counter(1))
        #expect(h.last(.ticketCalled)?.ticket == p)
    }

    @Test func weatherKeyCyclesAndIsRecorded() {
        var h = Harness()
        h.login(1)
        h.press("5", .counter(1))
        #expect(h.last(.weatherSet)?.weather == .rain)
        #expect(h.machine.state.weather == .rain)
    }
}
