import Foundation
import KioskReports
import Testing
@testable import KioskCore

/// Case figures over hand-built case states, with every expectation worked out by hand.
@Suite("Case figures")
struct CaseFiguresTests {
    static let hour: TimeInterval = 3600

    /// A case opened at `opened` with a 48 h reply deadline and a resolution deadline `resolveIn`.
    static func state(_ ref: String, _ service: String, _ opened: Date, day: String, reason: String?,
                      resolveIn: TimeInterval = 6 * hour, _ configure: (inout CaseState) -> Void) -> CaseState {
        var s = CaseState(ref: ref, day: day, severity: resolveIn < hour ? .ordinary : .serious, openedAt: opened,
                          replyBy: opened.addingTimeInterval(48 * hour))
        s.service = service
        s.reason = reason
        s.resolveBy = opened.addingTimeInterval(resolveIn)
        configure(&s)
        return s
    }

    /// Five cases in November and December:
    /// - A repairs: replied after 1 h, resolved after 5 h (in time), closed satisfied; wang.
    /// - B repairs (ordinary, 30 min): replied after 3 h, resolved after 4 h (late); wang.
    /// - C complaints: replied after 50 h (late), resolution deadline passed, reopened by a "not
    ///   satisfied" verdict; li.
    /// - D complaints: nothing yet, resolution deadline passed; nobody assigned.
    /// - E fees: replied after 1 h, closed satisfied after 2 h without a separate resolution,
    ///   reopened once before; li.
    static var cases: [CaseState] {
        let a = Fx.at(10, 0), c = Fx.at(9, 0, date: "2026-12-01"), d = Fx.at(10, 0, date: "2026-12-02")
        let e = Fx.at(10, 0, date: "2026-11-25")
        return [
            state("A", "repairs", a, day: "2026-11-24", reason: "reason.wait") {
                $0.firstReplyAt = a.addingTimeInterval(hour); $0.resolvedAt = a.addingTimeInterval(5 * hour)
                $0.closedAt = a.addingTimeInterval(6 * hour); $0.status = .closed; $0.satisfied = true
                $0.rootCause = "cause.process"; $0.assignee = "wang"
            },
            state("B", "repairs", a, day: "2026-11-24", reason: "reason.attitude", resolveIn: 30 * 60) {
                $0.firstReplyAt = a.addingTimeInterval(3 * hour); $0.resolvedAt = a.addingTimeInterval(4 * hour)
                $0.status = .resolved; $0.rootCause = "cause.staff"; $0.assignee = "wang"
            },
            state("C", "complaints", c, day: "2026-12-01", reason: "reason.wait") {
                $0.firstReplyAt = c.addingTimeInterval(50 * hour); $0.status = .handling; $0.reopenCount = 1
                $0.satisfied = false; $0.assignee = "li"
            },
            state("D", "complaints", d, day: "2026-12-02", reason: nil) { _ in },
            state("E", "fees", e, day: "2026-11-25", reason: "reason.wait") {
                $0.firstReplyAt = e.addingTimeInterval(hour); $0.closedAt = e.addingTimeInterval(2 * hour)
                $0.status = .closed; $0.satisfied = true; $0.reopenCount = 1; $0.assignee = "li"
            },
        ]
    }

    static let now = Fx.at(18, 0, date: "2026-12-02")

    @Test func overall() {
        let all = CaseFigures(cases: Self.cases, now: Self.now).all
        #expect(all.id == "all" && all.opened == 5)
        #expect(all.replied == 4 && all.repliedInTime == 3 && all.repliedInTimeRate == 0.6)
        #expect(all.resolved == 3 && all.resolvedInTime == 2 && all.resolvedInTimeRate == 0.4)
        #expect(all.closed == 2 && all.closedAfterReopening == 1 && all.reopenedRate == 0.5)
        #expect(all.verdicts == 3 && all.satisfied == 2 && all.satisfactionRate == 2.0 / 3.0)
        #expect(all.open == 2 && all.overdue == 2)
        // Replies after 1, 1, 3 and 50 hours: the middle two average 2 h.
        #expect(all.medianSecondsToFirstReply == 2 * Self.hour)
        // Resolutions after 2, 4 and 5 hours.
        #expect(all.medianSecondsToResolution == 4 * Self.hour)
        #expect(all.reasons == ["reason.wait": 3, "reason.attitude": 1, "none": 1])
        #expect(all.rootCauses == ["cause.process": 1, "cause.staff": 1, "none": 1])
    }

    @Test func perServiceMonthAndHandler() throws {
        let f = CaseFigures(cases: Self.cases, now: Self.now)
        #expect(f.byService.map(\.id) == ["complaints", "fees", "repairs"])
        let complaints = f.byService[0], fees = f.byService[1], repairs = f.byService[2]
        #expect(complaints.opened == 2 && complaints.repliedInTimeRate == 0 && complaints.resolvedInTimeRate == 0)
        #expect(complaints.reopenedRate == nil && complaints.satisfactionRate == 0 && complaints.overdue == 2)
        #expect(complaints.medianSecondsToFirstReply == 50 * Self.hour && complaints.medianSecondsToResolution == nil)
        #expect(complaints.reasons == ["reason.wait": 1, "none": 1] && complaints.rootCauses.isEmpty)
        #expect(fees.opened == 1 && fees.resolvedInTimeRate == 1 && fees.reopenedRate == 1 && fees.satisfactionRate == 1)
        #expect(fees.medianSecondsToResolution == 2 * Self.hour && fees.rootCauses == ["none": 1])
        #expect(repairs.repliedInTimeRate == 1 && repairs.resolvedInTimeRate == 0.5 && repairs.reopenedRate == 0)
        #expect(repairs.medianSecondsToResolution == 4.5 * Self.hour && repairs.overdue == 0)

        #expect(f.byMonth.map(\.id) == ["2026-11", "2026-12"])
        #expect(f.byMonth[0].opened == 3 && f.byMonth[0].reasons == ["reason.wait": 2, "reason.attitude": 1])
        #expect(f.byMonth[1].opened == 2 && f.byMonth[1].overdue == 2)

        // D has no handler: it counts only overall.
        #expect(f.byHandler.map(\.id) == ["li", "wang"])
        let li = f.byHandler[0]
        #expect(li.opened == 2 && li.repliedInTime == 1 && li.resolved == 1 && li.verdicts == 2 && li.satisfied == 1)
        #expect(li.open == 1 && li.overdue == 1)
        #expect(f.byHandler[1].opened == 2 && f.byHandler[1].closed == 1)
        #expect(f.reasonKeys == ["reason.wait", "none", "reason.attitude"])
    }

    @Test func overdueNeedsAnOpenCasePastADeadlineStillUnmet() {
        let opened = Fx.at(10, 0)
        let waiting = Self.state("W", "repairs", opened, day: Fx.day, reason: nil, resolveIn: 72 * Self.hour) { _ in }
        #expect(!waiting.isOverdue(now: opened.addingTimeInterval(47 * Self.hour)))
        #expect(waiting.isOverdue(now: opened.addingTimeInterval(48 * Self.hour + 1)), "no first reply by the reply deadline")
        var replied = waiting
        replied.firstReplyAt = opened.addingTimeInterval(60)
        replied.status = .handling
        #expect(!replied.isOverdue(now: opened.addingTimeInterval(60 * Self.hour)), "replied; resolution not yet due")
        #expect(replied.isOverdue(now: opened.addingTimeInterval(72 * Self.hour + 1)))
        var resolved = replied
        resolved.status = .resolved
        resolved.resolvedAt = opened.addingTimeInterval(80 * Self.hour)
        #expect(!resolved.isOverdue(now: opened.addingTimeInterval(90 * Self.hour)), "late, but no longer open")
    }

    @Test func nothingToDivideByGivesNil() {
        let f = CaseFigures(cases: [], now: Self.now)
        #expect(f.all.opened == 0 && f.byService.isEmpty && f.byMonth.isEmpty && f.byHandler.isEmpty)
        #expect(f.all.repliedInTimeRate == nil && f.all.reopenedRate == nil && f.all.satisfactionRate == nil)
        #expect(f.all.medianSecondsToFirstReply == nil && f.all.medianSecondsToResolution == nil)
        #expect(ReportMath.median([3, 1, 2]) == 2 && ReportMath.median([4, 1, 3, 2]) == 2.5 && ReportMath.median([]) == nil)
    }

    // MARK: In the report

    /// Two cases opened on 11-24: K1's state comes from the centre (assigned, replied at 10:20,
    /// resolved and closed), K2 is folded from the kiosk's own events (replied and resolved at the
    /// counter). A state for a case opened on another day is not counted.
    static func reportInputs() -> (events: [KioskEvent], states: [CaseState]) {
        func open(_ ref: String, _ time: Date, _ service: String, _ severity: CaseSeverity, resolveIn: TimeInterval) -> KioskEvent {
            Fx.event(.caseOpened, time, ticket: ref == "K1" ? "A001" : "B001") {
                $0.caseRef = ref; $0.service = service; $0.severity = severity; $0.reason = "reason.wait"
                $0.deadline = time.addingTimeInterval(48 * hour); $0.resolveBy = time.addingTimeInterval(resolveIn)
            }
        }
        let events = [
            open("K1", Fx.at(10, 0), "repairs", .serious, resolveIn: 6 * hour),
            Fx.event(.caseContacted, Fx.at(10, 5)) { $0.caseRef = "K1"; $0.channel = .counter },
            open("K2", Fx.at(11, 0), "fees", .ordinary, resolveIn: 30 * 60),
            Fx.event(.caseContacted, Fx.at(11, 10)) { $0.caseRef = "K2"; $0.channel = .counter },
            Fx.event(.caseResolved, Fx.at(11, 20)) { $0.caseRef = "K2"; $0.rootCause = "cause.process" },
        ]
        var k1 = CaseState.fold(Array(events.prefix(1)))!
        k1.assignee = "wang"; k1.firstReplyAt = Fx.at(10, 20); k1.resolvedAt = Fx.at(14, 0); k1.closedAt = Fx.at(15, 0)
        k1.status = .closed; k1.satisfied = true; k1.rootCause = "cause.staff"; k1.version = 6
        var older = k1
        older.version = 2; older.status = .handling; older.resolvedAt = nil; older.closedAt = nil
        var elsewhere = k1
        elsewhere.ref = "K0"; elsewhere.day = "2026-11-20"
        return (events, [older, k1, elsewhere])
    }

    @Test func theReportCountsCasesFromTheirStates() {
        let (events, states) = Self.reportInputs()
        let r = ReportBuilder.build(events: events, configuration: Fx.config, cases: states, now: Fx.at(18, 0))
        let all = r.caseFigures.all
        #expect(all.opened == 2 && all.replied == 2 && all.resolved == 2 && all.resolvedInTimeRate == 1)
        // K1's reply at 10:20 (the centre's state, not the kiosk's 10:05) and K2's at 11:10: median 15 min.
        #expect(all.medianSecondsToFirstReply == 900.0)
        #expect(all.closed == 1 && all.satisfactionRate == 1 && all.rootCauses == ["cause.staff": 1, "cause.process": 1])
        #expect(r.caseFigures.byHandler.map(\.id) == ["wang"])
        #expect(r.cases == CaseReport(opened: 2, answered: 2, answeredInTime: 2, overdue: 0, shareAnswered: 1, shareAnsweredInTime: 1))

        // Without states every case is folded from the events.
        let folded = ReportBuilder.build(events: events, configuration: Fx.config, now: Fx.at(18, 0)).caseFigures.all
        #expect(folded.medianSecondsToFirstReply == 7.5 * 60)
        #expect(folded.resolved == 1 && folded.open == 1 && folded.overdue == 1, "K1 folded: not resolved by 16:00")
        #expect(ReportBuilder.build(events: events, configuration: Fx.config, now: Fx.at(15, 59)).cases.overdue == 0)
    }

    @Test func eachSourceKeepsItsOwnReferences() throws {
        // Two sites both open case K1; each source's state is looked up among its own.
        let (events, states) = Self.reportInputs()
        let siteA = events.filter { $0.caseRef == "K1" }, siteB = siteA
        var stateB = try #require(CaseState.fold(siteB))
        stateB.status = .handling; stateB.firstReplyAt = Fx.at(12, 0); stateB.version = 3
        let r = ReportBuilder.build(sources: [ReportSource(events: siteA, configuration: Fx.config, cases: states),
                                              ReportSource(events: siteB, configuration: Fx.config, cases: [stateB])],
                                    now: Fx.at(18, 0))
        let all = r.caseFigures.all
        #expect(all.opened == 2 && all.closed == 1 && all.open == 1)
        // Site A replied after 20 min (its state), site B after 2 h (its state, not site A's).
        #expect(all.medianSecondsToFirstReply == 70 * 60.0)
    }

    @Test func textJSONCSVAndHTMLShowTheFigures() throws {
        let (events, states) = Self.reportInputs()
        let sources = [ReportSource(events: events, configuration: Fx.config, cases: states)]
        let period = ReportPeriod(sources: sources, now: Fx.at(18, 0))
        let text = ReportFormatter.text(period.report)
        for expected in ["Case figures", "Reply in time", "Resolved in time", "Handler", "wang", "2026-11",
                         "Cases by reason and root cause", "cause.staff 1", "reason.wait 2", "15m", "4h 00m"] {
            #expect(text.contains(expected), "text report lacks \(expected)")
        }
        let json = ReportFormatter.json(period.report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let all = try #require((object["caseFigures"] as? [String: Any])?["all"] as? [String: Any])
        #expect((all["medianSecondsToFirstReply"] as? NSNumber)?.doubleValue == 900)
        #expect((all["reopenedRate"] as? NSNumber)?.doubleValue == 0 && (all["overdue"] as? NSNumber)?.intValue == 0)
        let csv = ReportCSV.csv(period.report, daily: period.daily)
        #expect(csv.contains("\r\ncases.all,all,,repliedInTimeRate,1\r\n"))
        #expect(csv.contains("\r\ncases.handler,wang,,opened,1\r\n"))
        #expect(csv.contains("\r\ncases.service,repairs,报修,rootCauses.cause.staff,1\r\n"))
        let html = period.html()
        #expect(html.contains("Cases by reason 原因 per month") && html.contains("Cases by root cause 根因 per service"))
        #expect(html.contains("data-metric=\"caseFigures.all.medianSecondsToFirstReply\" data-value=\"900\""))
        #expect(!html.contains("<script"))
        // The day's own report counts the same cases.
        #expect(period.daily.map(\.report.caseFigures.all.opened) == [2])
    }
}
