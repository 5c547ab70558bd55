import Foundation
import KioskTestSupport
import Testing
@testable import KioskCore

/// What a case promises when it opens: severity from the rating (or the unresolved mark), the
/// first-reply and resolution deadlines counted on the site's calendar, all in `case.opened`.
@Suite("Opening a case: severity and deadlines")
struct CaseOpeningTests {
    @Test func aNotSatisfiedRatingOpensASeriousCase() throws {
        var h = Harness()
        h.servedVisit()
        h.press("42", .counter(1))
        let opened = try #require(h.last(.caseOpened))
        #expect(opened.severity == .serious)
        #expect(opened.rating == 4)
        #expect(opened.deadline == h.now.addingTimeInterval(48 * 3600))
        #expect(opened.resolveBy == h.now.addingTimeInterval(6 * 3600))
        #expect(opened.caseRef == "R20261124-001")
    }

    @Test func anAverageRatingOpensAnOrdinaryCase() throws {
        var h = Harness()
        h.servedVisit()
        h.press("31", .counter(1))
        let opened = try #require(h.last(.caseOpened))
        #expect(opened.severity == .ordinary)
        #expect(opened.rating == 3)
        #expect(opened.resolveBy == h.now.addingTimeInterval(30 * 60))
    }

    @Test func aComplaintServicesCaseIsSeriousEvenAfterAnAverageRating() throws {
        // Service key 3 is 投诉建议 (`complaint = yes` among the built-in services).
        var h = Harness()
        h.servedVisit(serviceKey: 3)
        h.press("31", .counter(1))
        let opened = try #require(h.last(.caseOpened))
        #expect(opened.service == "complaints" && opened.rating == 3)
        #expect(opened.severity == .serious)
        #expect(opened.resolveBy == h.now.addingTimeInterval(6 * 3600))
    }

    @Test func aVisitMarkedUnresolvedIsSeriousWhateverTheRating() throws {
        var h = Harness()
        h.servedVisit(serviceKey: 3, markUnresolved: true)
        let opened = try #require(h.last(.caseOpened))
        #expect(opened.severity == .serious)
        #expect(opened.rating == nil)
        #expect(opened.resolveBy == h.now.addingTimeInterval(6 * 3600))
        h.press("3", .counter(1))  // a later 一般 does not soften the open case
        #expect(h.events.filter { $0.type == .caseOpened }.count == 1)
    }

    @Test func deadlinesComeFromTheServiceAndCountOnTheCalendar() throws {
        // Repairs: ordinary cases within 2 working days; the office works 09:00-18:00 Mon-Fri.
        var h = Harness({
            $0.services[0].resolveOrdinary = .days(2)
            $0.services[0].replyDeadlineHours = 4
            $0.workingCalendar = WorkingCalendar(hours: .init(start: 9 * 60, end: 18 * 60))
        }, at: ScreenFixtures.start.addingTimeInterval(7 * 3600))  // Tuesday 2026-11-24 16:00
        h.servedVisit()
        h.press("31", .counter(1))
        let opened = try #require(h.last(.caseOpened))
        let calendar = LocalCalendar(h.machine.configuration)
        #expect(calendar.businessDay(of: opened.time) == "2026-11-24")
        #expect(calendar.dateTime(opened.time) == "2026-11-24 16:01")
        // Reply within 4 working hours: 1:59 today, 2:01 tomorrow.
        #expect(calendar.dateTime(try #require(opened.deadline)) == "2026-11-25 11:01")
        // Two working days: Thursday at the same time.
        #expect(calendar.dateTime(try #require(opened.resolveBy)) == "2026-11-26 16:01")
        // The commitment on the pad shows the reply deadline the event carries.
        #expect(h.machine.state.cases["R20261124-001"]?.deadline == opened.deadline)
    }

    @Test func theOpenedEventFoldsIntoTheCaseState() throws {
        var h = Harness()
        h.servedVisit()
        h.press("42", .counter(1))
        let state = try #require(CaseState.fold(h.events))
        let opened = try #require(h.last(.caseOpened))
        #expect(state.ref == opened.caseRef && state.severity == .serious && state.rating == 4)
        #expect(state.replyBy == opened.deadline && state.resolveBy == opened.resolveBy)
        #expect(state.reason == "reason.attitude" && state.service == "repairs" && state.status == .received)
    }

    @Test func severityRule() {
        #expect(CaseDeadlines.severity(rating: 4, unresolved: false) == .serious)
        #expect(CaseDeadlines.severity(rating: 3, unresolved: false) == .ordinary)
        #expect(CaseDeadlines.severity(rating: 3, unresolved: true) == .serious)
        #expect(CaseDeadlines.severity(rating: nil, unresolved: true) == .serious)
        #expect(CaseDeadlines.severity(rating: 3, unresolved: false, complaint: true) == .serious)
    }
}
