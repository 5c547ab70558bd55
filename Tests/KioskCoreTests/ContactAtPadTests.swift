import Foundation
import KioskProtocol
import Testing
@testable import KioskCore

/// Issue 15 at the counter: the pad asks for a call-back number when a case opens; the number
/// leaves the machine only in `KioskOutput.contacts`, every event carries the masked form.
@Suite("Cases at the kiosk: the call-back number")
struct ContactAtPadTests {
    static let number = "13812345678"

    static func asking(_ config: inout Configuration) { config.askContact = true }

    static func withPrinter(_ config: inout Configuration) {
        config.askContact = true
        CommitmentSlipTests.withCounterPrinter(&config)
    }

    /// Every event as stored and as `kioskctl events --json` prints it.
    static func json(_ events: [KioskEvent]) -> String {
        let encoder = KioskEvent.makeEncoder()
        return events.map { String(decoding: try! encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
    }

    @Test func aLowRatingAsksTheNumberShowsItMaskedAndHandsItOverOnlyOutsideTheEvents() {
        var h = Harness(Self.asking)
        let ref = h.caseFromThePad()
        #expect(h.types().suffix(3) == [.ratingReason, .caseOpened, .caseContactAsked])
        let asked = h.last(.caseContactAsked)!
        #expect(asked.consent == "pad.contact.consent" && asked.consentVersion == ContactConsent.version)
        guard case .awaitingContact(_, ref, _) = h.machine.state.counters[1]!.pad else { Issue.record("not asking"); return }
        #expect(h.text(.counter(1)).contains("如需回访，请输入手机号码（按 确认 跳过）"))
        #expect(h.text(.counter(1)).contains("您的手机号码仅用于本次回访"), "the consent sentence is shown with the question")

        h.press("1381234", .counter(1))
        #expect(h.text(.counter(1)).contains("***1234"), "masked as typed, except the last four")
        #expect(!h.text(.counter(1)).contains("1381234"))
        h.press("5678", .counter(1))
        #expect(h.text(.counter(1)).contains("*******5678"))
        let out = h.send(.key(.enter, station: .counter(1), at: h.now))

        #expect(out.events.map(\.type) == [.caseContactGiven])
        let given = out.events[0]
        #expect(given.caseRef == ref && given.contact == "138****5678" && given.counter == 1)
        #expect(given.consent == "pad.contact.consent" && given.consentVersion == ContactConsent.version)
        #expect(out.contacts.map(\.number) == [Self.number] && out.contacts.map(\.ref) == [ref])
        #expect(out.contacts.first?.masked == "138****5678" && out.contacts.first?.consentVersion == ContactConsent.version)
        #expect(!Self.json(h.events).contains(Self.number), "no event carries the full number")
        #expect(!"\(out.contacts)".contains(Self.number), "printing a contact shows it masked")
        guard case .commitment(_, ref, _) = h.machine.state.counters[1]!.pad else { Issue.record("no commitment"); return }
        // The case's state (the lookup, the centre) knows the masked form only.
        #expect(CaseState.fold(h.machine.caseEvents[ref]!)?.contact == "138****5678")
    }

    @Test func backspaceCorrectsAWrongNumberIsRefusedAndEnterAloneSkips() {
        var h = Harness(Self.asking)
        let ref = h.caseFromThePad()
        h.press("2381234567", .counter(1))
        var out = h.send(.key(.digit(8), station: .counter(1), at: h.now))
        out = h.send(.key(.enter, station: .counter(1), at: h.now))
        #expect(out.events.isEmpty && out.contacts.isEmpty, "11 digits not starting with 1 are not a mobile number")
        #expect(h.text(.counter(1)).contains("手机号码应为 1 开头的 11 位数字"))
        // A twelfth digit is not taken; Backspace corrects.
        h.press("9", .counter(1))
        #expect(h.machine.counterUI[1]?.contactDigits == "23812345678")
        h.press(String(repeating: "B", count: 11), .counter(1))
        #expect(h.machine.counterUI[1]?.contactDigits == "")
        out = h.send(.key(.enter, station: .counter(1), at: h.now))
        #expect(out.events.map(\.type) == [.caseContactSkipped] && out.events[0].detail == "skipped" && out.contacts.isEmpty)
        #expect(out.events[0].caseRef == ref)
        guard case .commitment = h.machine.state.counters[1]!.pad else { Issue.record("no commitment"); return }
    }

    @Test func theQuestionWaitsFromTheLastKeyThenMovesOn() {
        var h = Harness { $0.askContact = true; $0.contactSeconds = 30 }
        h.caseFromThePad()
        h.advance(20)
        h.press("138", .counter(1))
        h.advance(20)
        #expect(h.last(.caseContactSkipped) == nil, "a key restarts the wait")
        h.advance(15)
        #expect(h.last(.caseContactSkipped)?.detail == "timeout")
        #expect(!h.events.contains { $0.type == .caseContactGiven })
        #expect(h.machine.counterUI[1]?.contactDigits == "", "half a number is forgotten")
    }

    @Test func aVisitMarkedUnresolvedAsksAfterTheRatingOnceAndStaffMayTypeIt() {
        var h = Harness(Self.asking)
        h.servedVisit(markUnresolved: true)
        let ref = h.last(.caseOpened)!.caseRef!
        #expect(h.last(.caseContactAsked) == nil, "the resident rates first")
        h.press("1", .counter(1))
        #expect(h.last(.caseContactAsked)?.caseRef == ref)
        // The keypad is shared: staff type the number the resident says.
        h.press(Self.number + "E", .counter(1))
        #expect(h.last(.caseContactGiven)?.contact == "138****5678")
        // A restart rebuilds the pad from the events: asked once, not again.
        let restored = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        #expect(restored.state.counters[1]?.pad == h.machine.state.counters[1]?.pad)
    }

    @Test func withoutAskContactNothingIsAsked() {
        var h = Harness()
        h.caseFromThePad()
        #expect(!h.events.contains { $0.type == .caseContactAsked })
        guard case .commitment = h.machine.state.counters[1]!.pad else { Issue.record("no commitment"); return }
    }

    @Test func theSlipPrintsWhenTheQuestionEndsWithTheMaskedNumber() {
        var h = Harness(Self.withPrinter)
        h.servedVisit()
        h.press("4", .counter(1))
        let opened = h.send(.key(.digit(2), station: .counter(1), at: h.now))
        #expect(opened.events.map(\.type) == [.ratingReason, .caseOpened, .caseContactAsked])
        #expect(opened.prints.isEmpty, "the slip waits for the number")
        h.press(Self.number, .counter(1))
        let given = h.send(.key(.enter, station: .counter(1), at: h.now))
        #expect(given.prints.map(\.kind) == [.caseSlip])
        let job = given.prints[0]
        #expect(job.ticket.type == .caseOpened && job.ticket.caseRef == "R20261124-001" && job.ticket.staff == "1001")
        #expect(job.ticket.contact == "138****5678")

        var skipping = Harness(Self.withPrinter)
        skipping.caseFromThePad()
        let skipped = skipping.send(.key(.enter, station: .counter(1), at: skipping.now))
        #expect(skipped.prints.map(\.kind) == [.caseSlip] && skipped.prints[0].ticket.contact == nil)
    }

    @Test(arguments: [("13812345678", "138****5678", true), ("1381234567", "******4567", false),
                      ("23812345678", "*******5678", false), ("12", "12", false)])
    func masking(number: String, masked: String, plausible: Bool) {
        #expect(ContactNumber.masked(number) == masked)
        #expect(ContactNumber.isPlausibleMobile(number) == plausible)
    }
}
