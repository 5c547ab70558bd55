import Foundation
import KioskProtocol
import Testing
@testable import KioskCore

/// Call-backs recorded at the desk (`case.callback`): the fold keeps the earliest reached one,
/// and the figures count "call-back reached within deadline" over every case opened.
@Suite("Cases: call-backs and their figure")
struct CallbackTests {
    static let opened = Date(timeIntervalSince1970: 1_796_288_400)

    static func event(_ type: EventType, _ ref: String, minutes: Double, _ fill: (inout KioskEvent) -> Void = { _ in }) -> KioskEvent {
        var e = KioskEvent(type, at: opened.addingTimeInterval(minutes * 60), day: "2026-12-03")
        e.caseRef = ref
        fill(&e)
        return e
    }

    static func opening(_ ref: String) -> KioskEvent {
        event(.caseOpened, ref, minutes: 0) { $0.deadline = $0.time.addingTimeInterval(3600); $0.severity = .serious }
    }

    @Test func theEarliestReachedCallBackCountsAndOnlyReachedOnes() throws {
        var s = try #require(CaseState(opened: Self.opening("R1")))
        func call(_ minutes: Double, _ outcome: CallbackOutcome) -> Bool {
            s.apply(Self.event(.caseCallback, "R1", minutes: minutes) { $0.callback = outcome })
        }
        #expect(!call(10, .notReached))
        #expect(!call(20, .later))
        #expect(call(50, .reached))
        // Recorded later but made earlier: the earlier one is the call-back.
        #expect(call(30, .reached))
        #expect(!call(40, .reached))
        #expect(s.callbackReachedAt == Self.opened.addingTimeInterval(30 * 60))
        let json = try WireEncoder().encode(s)
        #expect(try JSONDecoder().decode(CaseState.self, from: json).callbackReachedAt == s.callbackReachedAt)
    }

    @Test func callBackReachedWithinDeadlineIsOverEveryCaseOpened() throws {
        let inTime = CaseState.fold([Self.opening("R1"), Self.event(.caseCallback, "R1", minutes: 59) { $0.callback = .reached }])!
        let late = CaseState.fold([Self.opening("R2"), Self.event(.caseCallback, "R2", minutes: 61) { $0.callback = .reached }])!
        let notReached = CaseState.fold([Self.opening("R3"), Self.event(.caseCallback, "R3", minutes: 5) { $0.callback = .notReached }])!
        let none = CaseState.fold([Self.opening("R4")])!
        let f = CaseFigures(cases: [inTime, late, notReached, none], now: Self.opened.addingTimeInterval(7200))
        #expect(f.all.callbackReachedInTime == 1 && f.all.callbackReachedInTimeRate == 0.25)
        #expect(CaseFigures(cases: [], now: Self.opened).all.callbackReachedInTimeRate == nil)
    }
}
