import Foundation
import Testing
@testable import KioskCore

/// The rules of `CaseState.apply` that make two people acting at once, and events applied twice
/// or out of order, harmless.
@Suite("Case fold")
struct CaseFoldTests {
    static let t0 = Date(timeIntervalSince1970: 1_795_480_000)

    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    static func event(_ type: EventType, _ minutes: Double, ref: String = "R20261124-001",
                      _ configure: (inout KioskEvent) -> Void = { _ in }) -> KioskEvent {
        var e = KioskEvent(type, at: at(minutes), day: "2026-11-24")
        e.caseRef = ref
        configure(&e)
        return e
    }

    static let opened = event(.caseOpened, 0) {
        $0.ticket = "A001"; $0.service = "repairs"; $0.rating = 4; $0.reason = "reason.wait"; $0.severity = .serious
        $0.deadline = at(48 * 60); $0.resolveBy = at(6 * 60); $0.counter = 1; $0.staff = "1001"
    }

    static func contacted(_ minutes: Double, _ channel: CaseChannel) -> KioskEvent {
        event(.caseContacted, minutes) { $0.channel = channel; $0.note = "called back"; $0.staff = "wang" }
    }

    @Test func openingStartsTheState() throws {
        let s = try #require(CaseState(opened: Self.opened, site: "tower-a", kiosk: "kiosk-01"))
        #expect(s.ref == "R20261124-001" && s.site == "tower-a" && s.kiosk == "kiosk-01")
        #expect(s.status == .received && s.severity == .serious && s.rating == 4 && s.reason == "reason.wait")
        #expect(s.replyBy == Self.at(48 * 60) && s.resolveBy == Self.at(6 * 60))
        #expect(s.ticket == "A001" && s.service == "repairs" && s.counter == 1 && s.servedBy == "1001")
        #expect(s.version == 1 && s.updatedAt == Self.t0)
        #expect(CaseState(opened: Self.contacted(1, .phone)) == nil)
    }

    @Test func theEarliestReplyIsTheFirstWhicheverArrivesFirst() throws {
        let phone = Self.contacted(30, .phone), counter = Self.contacted(10, .counter)
        let inOrder = try #require(CaseState.fold([Self.opened, counter, phone]))
        let reversed = try #require(CaseState.fold([Self.opened, phone, counter]))
        for s in [inOrder, reversed] {
            #expect(s.firstReplyAt == Self.at(10))
            #expect(s.firstReplyChannel == "counter")
            #expect(s.status == .handling)
        }
    }

    @Test func aResolutionOrVerdictOnAClosedCaseChangesNothing() throws {
        // `apply` mutates, so its answer is taken before #expect looks at it.
        var changed: Bool
        var s = try #require(CaseState.fold([
            Self.opened, Self.contacted(5, .phone),
            Self.event(.caseResolved, 20) { $0.rootCause = "cause.process"; $0.note = "fixed" },
            Self.event(.caseClosed, 30) { $0.satisfied = true },
        ]))
        #expect(s.status == .closed && s.satisfied == true && s.closedAt == Self.at(30) && s.rootCause == "cause.process")
        let closed = s
        changed = s.apply(Self.event(.caseResolved, 40) { $0.rootCause = "cause.staff" })
        #expect(!changed)
        changed = s.apply(Self.event(.caseClosed, 45) { $0.satisfied = false })
        #expect(!changed)
        changed = s.apply(Self.event(.caseAssigned, 46) { $0.assignee = "li" })
        #expect(!changed)
        #expect(s == closed)
    }

    @Test func notSatisfiedReopens() throws {
        // `apply` mutates, so its answer is taken before #expect looks at it.
        var changed: Bool
        var s = try #require(CaseState.fold([
            Self.opened, Self.event(.caseResolved, 20) { $0.rootCause = "cause.staff" },
        ]))
        #expect(s.status == .resolved && s.resolvedAt == Self.at(20))
        changed = s.apply(Self.event(.caseClosed, 30) { $0.satisfied = false })
        #expect(changed)
        #expect(s.status == .handling && s.reopenCount == 1 && s.satisfied == false)
        #expect(s.resolvedAt == nil && s.closedAt == nil)
        // Resolved again and closed satisfied: the latest verdict stands.
        s.apply(Self.event(.caseResolved, 50) { $0.rootCause = "cause.process" })
        s.apply(Self.event(.caseClosed, 60) { $0.satisfied = true })
        #expect(s.status == .closed && s.satisfied == true && s.reopenCount == 1 && s.rootCause == "cause.process")
        // Staff may reopen a closed case.
        changed = s.apply(Self.event(.caseReopened, 70) { $0.note = "came back" })
        #expect(changed)
        #expect(s.status == .handling && s.reopenCount == 2)
        // Reopening an open case changes nothing.
        changed = s.apply(Self.event(.caseReopened, 71))
        #expect(!changed)
    }

    @Test func escalationsAndAcknowledgementsAreSets() throws {
        // `apply` mutates, so its answer is taken before #expect looks at it.
        var changed: Bool
        var s = try #require(CaseState(opened: Self.opened))
        changed = s.apply(Self.event(.caseEscalated, 270) { $0.level = "resolve.near" })
        #expect(changed)
        let version = s.version
        changed = s.apply(Self.event(.caseEscalated, 270) { $0.level = "resolve.near" })
        #expect(!changed)
        // An acknowledgement of a level not reached is ignored; a repeated one counts once.
        changed = s.apply(Self.event(.caseAlertAcknowledged, 271) { $0.level = "resolve.overdue" })
        #expect(!changed)
        changed = s.apply(Self.event(.caseAlertAcknowledged, 272) { $0.level = "resolve.near" })
        #expect(changed)
        changed = s.apply(Self.event(.caseAlertAcknowledged, 273) { $0.level = "resolve.near" })
        #expect(!changed)
        changed = s.apply(Self.event(.caseEscalated, 360) { $0.level = "resolve.overdue" })
        #expect(changed)
        #expect(s.escalations == ["resolve.near", "resolve.overdue"] && s.acknowledged == ["resolve.near"])
        #expect(s.unacknowledgedEscalations == ["resolve.overdue"])
        #expect(s.version == version + 2)
    }

    @Test func eventsOfOtherCasesOrKindsChangeNothing() throws {
        // `apply` mutates, so its answer is taken before #expect looks at it.
        var changed: Bool
        var s = try #require(CaseState(opened: Self.opened))
        let before = s
        changed = s.apply(Self.event(.caseContacted, 5, ref: "R20261124-002"))
        #expect(!changed)
        changed = s.apply(Self.event(.ticketCalled, 6))
        #expect(!changed)
        changed = s.apply(Self.event(.caseAssigned, 7) { $0.assignee = "" })
        #expect(!changed)
        #expect(s == before)
        changed = s.apply(Self.event(.caseAssigned, 8) { $0.assignee = "wang" })
        #expect(changed)
        #expect(s.assignee == "wang" && s.status == .handling && s.updatedAt == Self.at(8))
    }
}
