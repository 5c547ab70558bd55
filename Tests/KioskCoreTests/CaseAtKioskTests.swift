import Foundation
import KioskProtocol
import Testing
@testable import KioskCore

extension Harness {
    /// A served visit rated 不满意 with reason 1: case R20261124-001, the pad at its commitment.
    @discardableResult
    mutating func caseFromThePad() -> String {
        servedVisit()
        press("41", .counter(1))
        return last(.caseOpened)!.caseRef!
    }

    /// Everything a screen says, one block a line.
    func text(_ station: StationID) -> String {
        let screen = ScreenBuilder(catalogs: shippedCatalogs()).screen(for: station, machine, now: now)
        return ([screen.title] + screen.blocks.map { block -> String in
            switch block {
            case .text(let s, _), .heading(let s), .banner(let s, _): return s
            case .table(let rows): return rows.map { $0.joined(separator: " ") }.joined(separator: "\n")
            case .choices(let list): return list.map(\.label).joined(separator: " ")
            case .spacer: return ""
            }
        } + [screen.footer]).joined(separator: "\n")
    }
}

/// A state as the centre would send it back for a case of this site.
func pulledState(_ ref: String, status: CaseStatus = .received, openedAt: Date = morning, version: Int = 3,
                 _ change: (inout CaseState) -> Void = { _ in }) -> CaseState {
    var s = CaseState(ref: ref, day: "2026-11-24", severity: .serious, openedAt: openedAt, replyBy: openedAt.addingTimeInterval(48 * 3600))
    s.status = status
    s.reason = "reason.attitude"
    s.version = version
    change(&s)
    return s
}

@Suite("Cases at the kiosk: lobby lookup")
struct CaseLookupTests {
    @Test func aCaseOpenedHereIsFoundByItsDigitsFromItsOwnEvents() {
        var h = Harness()
        let ref = h.caseFromThePad()
        #expect(ref == "R20261124-001")
        h.press(".2026112400", .lobby)
        #expect(h.text(.lobby).contains("R20261124-00_"))
        h.press("1E", .lobby)
        guard case .caseFound(ref, _) = h.machine.lobby else { Issue.record("not found: \(h.machine.lobby)"); return }
        let view = h.machine.caseView(ref)!
        #expect(view.asOf == nil && view.state.status == .received)
        let text = h.text(.lobby)
        #expect(text.contains("状态：已受理"))
        #expect(text.contains("我们将于 11-26 09:01 前答复您"))
        #expect(!text.contains("信息截至"))
        // Enter goes back to the lobby.
        h.press("E", .lobby)
        #expect(h.machine.lobby == .idle)
    }

    @Test func backspaceCorrectsAndAPauseReturnsToTheLobby() {
        var h = Harness()
        h.press(".123B4", .lobby)
        guard case .lookup("124", _) = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
        // Enter before all 11 digits looks nothing up and counts no try.
        h.press("E", .lobby)
        guard case .lookup("124", _) = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
        h.advance(29)
        #expect(h.machine.lobby != .idle)
        h.advance(1)
        #expect(h.machine.lobby == .idle)
        // Backspace on an empty entry leaves it.
        h.press(".B", .lobby)
        #expect(h.machine.lobby == .idle)
    }

    @Test func unknownReferencesSaySoAndThreeInARowLockTheLookupForAMinute() {
        var h = Harness()
        h.caseFromThePad()
        h.press(".20261124999E", .lobby)
        guard case .caseUnknown("R20261124-999", 2, _) = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
        #expect(h.text(.lobby).contains("未找到跟进单 R20261124-999"))
        #expect(h.text(.lobby).contains("还可再试 2 次"))
        h.press(".20261124998E", .lobby)
        h.press(".20261124997E", .lobby)
        guard case .caseUnknown(_, 0, _) = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
        #expect(h.text(.lobby).contains("输错次数过多，查询已暂停，请 60 秒后再试"))
        // Locked: even the right reference is not looked up.
        h.advance(30)
        h.press(".", .lobby)
        guard case .lookupLocked = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
        #expect(h.text(.lobby).contains("请 30 秒后再试"))
        h.press("E", .lobby)
        h.advance(29)
        h.press(".", .lobby)
        guard case .lookupLocked = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
        h.press("E", .lobby)
        // A minute after the third wrong try it opens again, with three tries.
        h.advance(1)
        h.press(".20261124001E", .lobby)
        guard case .caseFound("R20261124-001", _) = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
        h.press("E.20261124999E", .lobby)
        guard case .caseUnknown(_, 2, _) = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
    }

    @Test func aFoundCaseResetsTheWrongTriesInARow() {
        var h = Harness()
        h.caseFromThePad()
        h.press(".20261124999E", .lobby)
        h.press(".20261124998E", .lobby)
        h.press(".20261124001E", .lobby)
        h.press(".20261124997E", .lobby)
        guard case .caseUnknown(_, 2, _) = h.machine.lobby else { Issue.record("\(h.machine.lobby)"); return }
    }

    @Test func thePulledStateIsShownAsOfItsPullWithWhoHandlesIt() {
        var h = Harness()
        h.caseFromThePad()
        let pulledAt = h.now.addingTimeInterval(120)
        h.advance(180)
        let board = pulledState("R20261124-001", status: .handling) {
            $0.assignee = "wang.li"
            $0.firstReplyAt = morning.addingTimeInterval(3600)
            $0.firstReplyChannel = "phone"
            $0.resolveBy = morning.addingTimeInterval(6 * 3600)
        }
        // A case of another kiosk of the site is known only from the board.
        let other = pulledState("R20261124-002", status: .resolved) { $0.resolvedAt = morning.addingTimeInterval(7200) }
        h.send(.casesPulled([board, other], asOf: pulledAt))
        h.press(".20261124001E", .lobby)
        var text = h.text(.lobby)
        #expect(text.contains("状态：处理中（负责人：wang.li）"))
        #expect(text.contains("首次答复：2026-11-24 10:00（电话）"))
        #expect(text.contains("预计于 11-24 15:00 前解决"))
        #expect(text.contains("信息截至 2026-11-24 09:03"))
        h.press("E.20261124002E", .lobby)
        text = h.text(.lobby)
        #expect(text.contains("状态：已解决"))
        #expect(text.contains("已解决：2026-11-24 11:00"))
        #expect(!text.contains("前解决"))
        // An older version never replaces a newer one.
        h.send(.casesPulled([pulledState("R20261124-001", version: 1)], asOf: pulledAt))
        #expect(h.machine.caseView("R20261124-001")?.state.assignee == "wang.li")
    }

    @Test func aPassedDeadlineIsOwnedUpToAndTheEnglishScreenSaysTheSame() {
        var h = Harness { $0.language = .english }
        h.caseFromThePad()
        h.now = h.now.addingTimeInterval(49 * 3600)
        h.press(".20261124001E", .lobby)
        let text = h.text(.lobby)
        #expect(text.contains("Status: received"))
        #expect(text.contains("Our reply was due 11-26 09:01; we are sorry"))
    }

    @Test func theLocalFoldSurvivesARestart() {
        var h = Harness()
        h.caseFromThePad()
        h.press("71", .counter(1))
        var restored = Harness()
        restored.machine = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        restored.now = h.now
        let s = restored.machine.caseView("R20261124-001")?.state
        #expect(s?.status == .handling && s?.firstReplyChannel == "counter")
    }
}

@Suite("Cases at the kiosk: counters")
struct CounterCaseTests {
    @Test func theCounterRecordsTheFirstReplyInPersonWhileThePadShowsTheCommitment() {
        var h = Harness()
        let ref = h.caseFromThePad()
        guard case .commitment = h.machine.state.counters[1]!.pad else { Issue.record("no commitment"); return }
        #expect(h.text(.counter(1)).contains("本次来访已建跟进单 \(ref)（等候时间长）：按 7 当面答复或当场解决"))
        h.press("7", .counter(1))
        #expect(h.text(.counter(1)).contains("跟进单 \(ref)：1 已当面答复  2 当场解决"))
        let produced = h.press("1", .counter(1))
        #expect(produced.map(\.type) == [.caseContacted])
        let e = produced[0]
        #expect(e.caseRef == ref && e.channel == .counter && e.staff == "1001" && e.counter == 1)
        #expect(h.machine.caseView(ref)?.state.firstReplyAt == h.now)
        #expect(!h.types().contains(.ratingMisuse))
        #expect(h.text(.counter(1)).contains("已记录：跟进单 \(ref) 已当面答复"))
    }

    @Test func resolvingOnTheSpotAsksForTheRootCauseAndCountsAsTheReply() {
        var h = Harness()
        let ref = h.caseFromThePad()
        h.press("72", .counter(1))
        let text = h.text(.counter(1))
        #expect(text.contains("请按编号选择根本原因"))
        #expect(text.contains("3 设施设备"))
        // Backspace goes back to the choices; a digit with no cause does nothing.
        h.press("B", .counter(1))
        guard case .caseAction(ref) = h.machine.counterUI[1]!.entry else { Issue.record("\(h.machine.counterUI[1]!.entry)"); return }
        let produced = h.press("29", .counter(1)) + h.press("3", .counter(1))
        #expect(produced.map(\.type) == [.caseContacted, .caseResolved])
        #expect(produced[1].rootCause == "cause.facility" && produced[1].staff == "1001" && produced[1].counter == 1 && produced[1].caseRef == ref)
        let s = h.machine.caseView(ref)!.state
        #expect(s.status == .resolved && s.rootCause == "cause.facility" && s.firstReplyChannel == "counter")
        // Resolved: the case key has nothing more to do for it.
        h.press("7", .counter(1))
        #expect(h.machine.counterUI[1]!.entry == .none)
        #expect(h.text(.counter(1)).contains("此窗口没有待处理的跟进单"))
    }

    @Test func aVisitMarkedUnresolvedCanBeAnsweredOnceThePadIsDone() {
        var h = Harness()
        h.servedVisit(markUnresolved: true)
        let ref = h.last(.caseOpened)!.caseRef!
        // The pad asks for the rating first: its digits are the resident's.
        h.press("7", .counter(1))
        #expect(h.machine.counterUI[1]!.entry == .none)
        h.press("1", .counter(1))
        h.press("71", .counter(1))
        #expect(h.last(.caseContacted)?.caseRef == ref)
        // The next resident called: the case is no longer this counter's.
        h.takeTicket(1)
        h.press("+7", .counter(1))
        #expect(h.text(.counter(1)).contains("此窗口没有待处理的跟进单"))
    }

    @Test func theCounterHintListsTheCaseKeyInBothLanguages() {
        let catalogs = shippedCatalogs()
        #expect(CounterKeys.hint(loggedIn: true, catalogs[.chinese]).contains("8 未解决 7 跟进 9 暂停"))
        #expect(CounterKeys.hint(loggedIn: true, catalogs[.english]).contains("8 unresolved 7 case 9 pause"))
    }
}

@Suite("Cases at the kiosk: escalation alerts")
struct CaseAlertTests {
    @Test func escalationsShowAtEveryStaffedCounterUntilOneAcknowledges() {
        var h = Harness()
        h.login(1)
        h.login(2, staff: "1002")
        let near = pulledState("R20261124-007") { $0.escalations = ["reply.near"] }
        let overdue = pulledState("R20261123-004", openedAt: morning.addingTimeInterval(-50 * 3600)) {
            $0.escalations = ["reply.near", "reply.overdue"]
            $0.acknowledged = ["reply.near"]
        }
        // Moot: replied already, so its reply alert is not shown.
        let replied = pulledState("R20261124-008", status: .handling) {
            $0.escalations = ["reply.near"]
            $0.firstReplyAt = morning
        }
        h.send(.casesPulled([near, overdue, replied], asOf: h.now))
        #expect(h.machine.caseAlerts.map(\.ref) == ["R20261123-004", "R20261124-007"])
        for n in [1, 2] {
            let text = h.text(.counter(n))
            #expect(text.contains("跟进单 R20261123-004 已超时：答复期限 11-24 07:00（按 7 确认）"))
            #expect(text.contains("跟进单 R20261124-007 即将超时：答复期限 11-26 09:00（按 7 确认）"))
            #expect(!text.contains("R20261124-008"))
        }
        // No case at counter 2: the case key acknowledges the most urgent alert, at once.
        let produced = h.press("7", .counter(2))
        #expect(produced.map(\.type) == [.caseAlertAcknowledged])
        #expect(produced[0].caseRef == "R20261123-004" && produced[0].level == "reply.overdue" && produced[0].staff == "1002" && produced[0].counter == 2)
        #expect(h.machine.caseAlerts.map(\.ref) == ["R20261124-007"])
        #expect(!h.text(.counter(1)).contains("R20261123-004"))
        // The centre's state comes back with the acknowledgement: still gone.
        h.send(.casesPulled([pulledState("R20261123-004", openedAt: morning.addingTimeInterval(-50 * 3600), version: 5) {
            $0.escalations = ["reply.near", "reply.overdue"]
            $0.acknowledged = ["reply.near", "reply.overdue"]
        }], asOf: h.now))
        #expect(h.machine.caseAlerts.map(\.ref) == ["R20261124-007"])
        h.press("7", .counter(1))
        #expect(h.machine.caseAlerts.isEmpty)
        h.press("7", .counter(1))
        #expect(h.text(.counter(1)).contains("此窗口没有待处理的跟进单，也没有超时提醒"))
    }

    @Test func aCounterListsTheThreeMostUrgentAlertsAndCountsTheRest() {
        var h = Harness()
        h.login(1)
        let states = (1...5).map { i in
            pulledState(String(format: "R20261124-%03d", i), openedAt: morning.addingTimeInterval(Double(i) * 60)) { $0.escalations = ["reply.near"] }
        }
        h.send(.casesPulled(states, asOf: h.now))
        let text = h.text(.counter(1))
        #expect(text.contains("跟进单 R20261124-003 即将超时"))
        #expect(!text.contains("跟进单 R20261124-004 即将超时"))
        #expect(text.contains("另有 2 张跟进单即将超时或已超时"))
        h.press("7", .counter(1))
        #expect(h.last(.caseAlertAcknowledged)?.caseRef == "R20261124-001")
        #expect(h.text(.counter(1)).contains("跟进单 R20261124-004 即将超时"))
        #expect(h.text(.counter(1)).contains("另有 1 张"))
    }

    @Test func withACaseAtTheCounterTheAlertIsTheThirdChoice() {
        var h = Harness { $0.language = .english }
        let ref = h.caseFromThePad()
        h.send(.casesPulled([pulledState("R20261124-009") { $0.escalations = ["reply.near"] }], asOf: h.now))
        h.press("7", .counter(1))
        #expect(h.text(.counter(1)).contains("Case \(ref): 1 replied in person  2 resolve now  3 acknowledge alert"))
        #expect(h.text(.counter(1)).contains("Case R20261124-009 is nearly due: reply by 11-26 09:00 (7 to acknowledge)"))
        let produced = h.press("3", .counter(1))
        #expect(produced.map(\.type) == [.caseAlertAcknowledged])
        #expect(produced[0].caseRef == "R20261124-009")
        #expect(h.machine.caseAlerts.isEmpty)
    }
}

@Suite("Cases at the kiosk: commitment slips")
struct CommitmentSlipTests {
    static func withCounterPrinter(_ config: inout Configuration) {
        var desk = StationConfig(name: "desk-1")
        desk.role = .counter(1)
        desk.printer = "/dev/usb/lp3"
        config.stations = [desk]
    }

    @Test func aCaseOpenedAtACounterWithAPrinterPrintsItsSlip() {
        var h = Harness(Self.withCounterPrinter)
        h.servedVisit()
        h.press("4", .counter(1))
        let out = h.send(.key(.digit(2), station: .counter(1), at: h.now))
        #expect(out.events.map(\.type) == [.ratingReason, .caseOpened])
        #expect(out.prints.count == 1)
        let job = out.prints[0]
        #expect(job.kind == .caseSlip && job.printer == "/dev/usb/lp3" && job.station == "desk-1")
        #expect(job.ticket.caseRef == "R20261124-001" && job.ticket.counter == 1 && job.ticket.staff == "1001")
        #expect(job.ticket.reason == "reason.attitude")
    }

    @Test func aVisitMarkedUnresolvedPrintsItsSlipAtFinish() {
        var h = Harness(Self.withCounterPrinter)
        h.login(1)
        h.takeTicket(1)
        h.press("+E8", .counter(1))
        let out = h.send(.key(.enter, station: .counter(1), at: h.now))
        #expect(out.prints.map(\.kind) == [.caseSlip])
        #expect(out.prints.first?.ticket.counter == 1)
    }

    @Test func noPrinterNoSlip() {
        var h = Harness { $0.printer = "/dev/usb/lp0" }  // the lobby's printer is not the counter's
        h.servedVisit()
        h.press("4", .counter(1))
        let out = h.send(.key(.digit(2), station: .counter(1), at: h.now))
        #expect(out.events.contains { $0.type == .caseOpened })
        #expect(out.prints.isEmpty)
    }

    @Test func aSlipThatDoesNotPrintBlocksNothingAndTellsTheCounter() {
        var h = Harness(Self.withCounterPrinter)
        h.servedVisit()
        h.press("4", .counter(1))
        let job = h.send(.key(.digit(2), station: .counter(1), at: h.now)).prints[0]
        let failed = h.send(.printed(job, problem: "paper-out", at: h.now))
        // No event, no ticket printer alert in the lobby: the case and its pad go on.
        #expect(failed.events.isEmpty && h.machine.state.printerProblem == nil)
        guard case .commitment = h.machine.state.counters[1]!.pad else { Issue.record("the pad stopped"); return }
        #expect(h.text(.counter(1)).contains("承诺兑现单打印失败：缺纸。请手写承诺单交给业主"))
        #expect(!h.text(.lobby).contains("请记住您的号码"))
        // Staff still act on the case.
        h.press("71", .counter(1))
        #expect(h.last(.caseContacted) != nil)
        // The next slip prints: the alert goes.
        h.send(.printed(job, problem: nil, at: h.now))
        #expect(!h.text(.counter(1)).contains("承诺兑现单打印失败"))
    }
}
