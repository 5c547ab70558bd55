import Foundation
import Testing
@testable import KioskCore

@Suite struct ReportBuilderTests {
    // Ten repairs visits, all issued in the 09:00 hour, promised "up to 5 minutes".
    static let waits: [Double] = [400, 30, 900, 150, 260, 90, 700, 200, 470, 330]
    static let serviceSeconds: [Double] = [500, 100, 1000, 300, 700, 200, 900, 400, 800, 600]
    static var tenVisits: [KioskEvent] {
        (0..<10).flatMap { i -> [KioskEvent] in
            let label = String(format: "A%03d", i + 1)
            let issued = Fx.at(9, i * 2)
            let called = issued.addingTimeInterval(waits[i])
            let started = called.addingTimeInterval(30)
            return [Fx.issue(label, "repairs", issued, high: 5), Fx.call(label, called),
                    Fx.start(label, started), Fx.finish(label, started.addingTimeInterval(serviceSeconds[i]))]
        }
    }

    @Test func nearestRankPercentile() {
        // Sorted: 30 90 150 200 260 330 400 470 700 900; rank ⌈0.9 · 10⌉ = 9 → 700.
        #expect(ReportMath.percentile(Self.waits, 90) == 700)
        #expect(ReportMath.percentile([5], 90) == 5)
        // ⌈0.9 · 11⌉ = 10 → the 10th of 1…11.
        #expect(ReportMath.percentile((1...11).map(Double.init), 90) == 10)
        #expect(ReportMath.percentile([], 90) == nil)
        #expect(ReportMath.mean([]) == nil)
        #expect(ReportMath.ratio(3, 0) == nil)
    }

    @Test func waitsServiceTimesTargetAndPromise() {
        let r = Fx.build(Self.tenVisits)
        let s = r.service("repairs")
        #expect(s.name == "报修")
        #expect(s.issued == 10 && s.called == 10 && s.served == 10)
        #expect(s.wait.count == 10)
        #expect(s.wait.average == 353)  // 3530 / 10
        #expect(s.wait.p90 == 700)
        // Target 10 min: 700 and 900 are over → 8/10.
        #expect(s.withinTarget == 0.8)
        // Promise 5 min: 30 90 150 200 260 kept → 5/10.
        #expect(s.promiseKept == 0.5)
        #expect(s.serviceTime.average == 550)
        #expect(s.serviceTime.p90 == 900)
        #expect(s.noShowRate == 0)
        // No ratings: index and CSAT have no denominator; response rate is 0 of 10.
        #expect(s.ratings == 0 && s.satisfactionIndex == nil && s.csat == nil)
        #expect(s.responseRate == 0)
        #expect(r.overall.wait == s.wait && r.overall.served == 10)
        // Busiest hours: all ten issued at 09:xx local time.
        #expect(r.hours.count == 24)
        #expect(r.hours[9] == HourReport(hour: 9, issued: 10, averageWaitSeconds: 353))
        #expect(r.hours[10] == HourReport(hour: 10, issued: 0, averageWaitSeconds: nil))
        #expect(r.staff == [StaffReport(number: "1001", name: "张敏", served: 10, averageServiceSeconds: 550,
                                        ratings: 0, satisfactionIndex: nil, csat: nil, responseRate: 0)])
        #expect(r.days == [Fx.day])
    }

    @Test func transferredTicketKeepsItsFirstWaitInTheFirstService() {
        let events = [
            Fx.issue("A001", "repairs", Fx.at(9, 0), priority: true),
            Fx.call("A001", Fx.at(9, 4)),
            Fx.start("A001", Fx.at(9, 5)),
            Fx.transfer("A001", from: "repairs", to: "fees", Fx.at(9, 6)),
            Fx.call("A001", Fx.at(9, 10), counter: 2),
            Fx.start("A001", Fx.at(9, 11), counter: 2),
            Fx.finish("A001", Fx.at(9, 15), staff: "1002", counter: 2),
        ]
        let r = Fx.build(events)
        let repairs = r.service("repairs"), fees = r.service("fees")
        #expect(repairs.issued == 1 && repairs.priority == 1 && repairs.called == 1 && repairs.transfers == 1)
        #expect(repairs.wait == DurationStats(count: 1, average: 240, p90: 240))
        #expect(repairs.served == 0 && repairs.serviceTime.average == nil)
        #expect(fees.issued == 0 && fees.called == 1 && fees.transfers == 0 && fees.served == 1)
        #expect(fees.wait.count == 0 && fees.wait.average == nil)
        // Started again after the transfer: 09:11 → 09:15.
        #expect(fees.serviceTime == DurationStats(count: 1, average: 240, p90: 240))
        #expect(r.overall.called == 1 && r.overall.transfers == 1 && r.overall.served == 1)
        #expect(r.overall.wait.average == 240)
        #expect(r.overall.walkOuts == 0)
        #expect(r.staff.map(\.number) == ["1002"])
        #expect(r.staff[0].averageServiceSeconds == 240)
    }

    @Test func noShowRateAndWalkOutsNotYet() {
        var events: [KioskEvent] = []
        for i in 1...4 {
            let label = "B00\(i)"
            events += [Fx.issue(label, "fees", Fx.at(10, i - 1)), Fx.call(label, Fx.at(10, i + 4))]
        }
        events += [Fx.event(.ticketRecalled, Fx.at(10, 9), ticket: "B002") { $0.counter = 1 },
                   Fx.noShow("B002", Fx.at(10, 10)),
                   Fx.issue("B005", "fees", Fx.at(10, 4))]
        let r = Fx.build(events, now: Fx.at(18, 0))
        let fees = r.service("fees")
        #expect(fees.issued == 5 && fees.called == 4 && fees.noShows == 1)
        #expect(fees.noShowRate == 0.25)
        #expect(r.overall.noShowRate == 0.25)
        // B005 is still waiting: the day is not over.
        #expect(fees.walkOuts == 0)
        // Waits: 5 min each → all within the 10-minute target; no estimates shown → no promise figure.
        #expect(fees.wait.average == 300 && fees.withinTarget == 1)
        #expect(fees.promiseKept == nil)
    }

    @Test func walkOutsNeedTheDayToBeOver() {
        let yesterday = "2026-11-23"
        let base = [
            Fx.issue("Y001", "repairs", Fx.at(15, 0, date: yesterday), day: yesterday),
            Fx.issue("T001", "repairs", Fx.at(9, 0)),
            Fx.issue("T002", "repairs", Fx.at(9, 1)),
            Fx.call("T002", Fx.at(9, 5)),
        ]
        // 02:00 on the 25th still belongs to business day 2026-11-24 (days start at 04:00).
        let lateNight = Fx.at(2, 0, date: "2026-11-25")
        #expect(Fx.build(base, now: lateNight).service("repairs").walkOuts == 1)  // Y001 only
        // Closing the day makes T001 a walk-out at once.
        let closed = base + [Fx.event(.dayClosed, Fx.at(20, 0))]
        #expect(Fx.build(closed, now: Fx.at(20, 1)).service("repairs").walkOuts == 2)
        #expect(Fx.build(closed, now: Fx.at(20, 1)).overall.walkOuts == 2)
        // Or the next business day starting.
        #expect(Fx.build(base, now: Fx.at(5, 0, date: "2026-11-25")).service("repairs").walkOuts == 2)
        #expect(Fx.build(base, now: lateNight).days == [yesterday, Fx.day])
    }

    @Test func satisfactionCSATResponseAndReasons() {
        var events: [KioskEvent] = []
        for (i, staff) in ["1001", "1001", "1001", "1002", "1002"].enumerated() {
            events += Fx.visit("F00\(i + 1)", "enquiries", issued: Fx.at(11, i), waitSeconds: 60, serviceSeconds: 120,
                               staff: staff)
        }
        let t = Fx.at(12, 0)
        events += [
            Fx.rate("F001", 1, t), Fx.rate("F002", 2, t), Fx.notRated("F003", t),
            Fx.rate("F004", 3, t, staff: "1002"), Fx.reason("F004", "reason.wait", t),
            Fx.rate("F005", 4, t, staff: "1002"), Fx.reason("F005", "reason.attitude", t),
            Fx.event(.ratingMisuse, t) { $0.counter = 1 },
        ]
        let r = Fx.build(events)
        let s = r.service("enquiries")
        #expect(s.served == 5 && s.ratings == 4)
        #expect(s.satisfactionIndex == 50)  // (100 + 67 + 33 + 0) / 4
        #expect(s.csat == 0.5)  // levels 1 and 2 of four
        #expect(s.responseRate == 0.8)  // 4 ratings / 5 finished (one not rated)
        #expect(s.notRated == 1)
        #expect(s.reasons == ["reason.wait": 1, "reason.attitude": 1])
        // The misuse press names no ticket or service: counted overall only.
        #expect(s.misuse == 0 && r.overall.misuse == 1)
        #expect(r.overall.satisfactionIndex == 50 && r.overall.csat == 0.5 && r.overall.responseRate == 0.8)

        #expect(r.staff.count == 2)
        let a = r.staff[0], b = r.staff[1]
        #expect(a.number == "1001" && a.name == "张敏" && a.served == 3 && a.ratings == 2)
        #expect(a.satisfactionIndex == 83.5 && a.csat == 1)
        #expect(abs(a.responseRate! - 2.0 / 3.0) < 1e-12)
        #expect(a.averageServiceSeconds == 120)
        #expect(b.number == "1002" && b.name == "李华" && b.served == 2 && b.ratings == 2)
        #expect(b.satisfactionIndex == 16.5 && b.csat == 0 && b.responseRate == 1)
    }

    @Test func casesAnsweredInTimeLateAndOverdue() {
        func open(_ ref: String, _ opened: Date, deadline: Date?, day: String) -> KioskEvent {
            Fx.event(.caseOpened, opened, day: day, ticket: "C001") {
                $0.caseRef = ref; $0.service = "complaints"; $0.deadline = deadline
            }
        }
        func answer(_ ref: String, _ time: Date) -> KioskEvent {
            Fx.event(.caseContacted, time, day: Fx.businessDay(time)) { $0.caseRef = ref }
        }
        let d20 = "2026-11-20", d25 = "2026-11-25", d22 = "2026-11-22", d26 = "2026-11-26", d27 = "2026-11-27"
        let events = [
            // Answered exactly at the deadline: in time.
            open("K1", Fx.at(10, 0), deadline: Fx.at(10, 0, date: d26), day: Fx.day),
            answer("K1", Fx.at(10, 0, date: d26)),
            answer("K1", Fx.at(11, 0, date: d26)),  // a second answer changes nothing
            // Answered one second late.
            open("K2", Fx.at(10, 0, date: d20), deadline: Fx.at(10, 0, date: d22), day: d20),
            answer("K2", Fx.at(10, 0, 1, date: d22)),
            // Not answered, deadline passed: overdue.
            open("K3", Fx.at(10, 0, date: d20), deadline: Fx.at(10, 0, date: d22), day: d20),
            // Not answered, deadline still ahead.
            open("K4", Fx.at(10, 0, date: d25), deadline: Fx.at(10, 0, date: d27), day: d25),
            // No deadline recorded: complaints reply within 48 h → 11-26 08:00, passed.
            open("K5", Fx.at(8, 0), deadline: nil, day: Fx.day),
            // An answer to a case opened before the events: ignored.
            answer("K9", Fx.at(9, 0, date: d25)),
        ]
        let r = Fx.build(events, now: Fx.at(12, 0, date: d26))
        #expect(r.cases == CaseReport(opened: 5, answered: 2, answeredInTime: 1, overdue: 2, shareAnswered: 0.4,
                                      shareAnsweredInTime: 0.2))
    }

    @Test func careAlerts() {
        let events = [
            Fx.event(.carePredicted, Fx.at(9, 5), ticket: "A001"),
            Fx.event(.carePredicted, Fx.at(9, 9), ticket: "A004"),
            Fx.event(.careAlertRaised, Fx.at(9, 12), ticket: "A001"),
            Fx.event(.careAlertRaised, Fx.at(9, 20), ticket: "A002"),
            Fx.event(.careAlertRaised, Fx.at(9, 25), ticket: "A003"),
            Fx.event(.careAcknowledged, Fx.at(9, 15), ticket: "A001"),
            Fx.event(.careAcknowledged, Fx.at(9, 30), ticket: "A002"),
        ]
        #expect(Fx.build(events).care == CareReport(predicted: 2, raised: 3, acknowledged: 2, averageMinutesToAcknowledge: 6.5))
        #expect(Fx.build([]).care == CareReport(predicted: 0, raised: 0, acknowledged: 0, averageMinutesToAcknowledge: nil))
    }

    @Test func nothingToDivideByGivesNil() throws {
        let r = Fx.build([])
        #expect(r.services.map(\.id) == Configuration().services.map(\.id))
        #expect(r.services.map(\.name) == ["报修", "缴费", "投诉建议", "办证", "入伙装修", "咨询"])
        for s in r.services + [r.overall] {
            #expect(s.withinTarget == nil && s.promiseKept == nil && s.noShowRate == nil)
            #expect(s.satisfactionIndex == nil && s.csat == nil && s.responseRate == nil)
            #expect(s.wait == DurationStats(count: 0, average: nil, p90: nil))
            #expect(s.serviceTime == DurationStats(count: 0, average: nil, p90: nil))
        }
        #expect(r.cases == CaseReport(opened: 0, answered: 0, answeredInTime: 0, overdue: 0, shareAnswered: nil,
                                      shareAnsweredInTime: nil))
        #expect(r.staff.isEmpty && r.days.isEmpty)
        #expect(r.hours.allSatisfy { $0.issued == 0 && $0.averageWaitSeconds == nil })

        // Issued but never called: still nothing to divide by for call-based rates.
        let waiting = Fx.build([Fx.issue("D001", "permits", Fx.at(9, 0), high: 5)]).service("permits")
        #expect(waiting.issued == 1 && waiting.noShowRate == nil && waiting.withinTarget == nil)
        #expect(waiting.promiseKept == nil)

        // nil is written as JSON null, never omitted and never NaN.
        let json = ReportFormatter.json(r)
        #expect(json.contains("null"))
        #expect(!json.contains("NaN"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let overall = try #require(object["overall"] as? [String: Any])
        #expect(overall["noShowRate"] is NSNull)
        #expect(overall.keys.contains("csat"))
    }

    @Test func unknownServiceAndLateHour() {
        var issue = Fx.issue("Z001", "bikes", Fx.at(23, 30))
        issue.estimateHigh = nil
        let r = Fx.build([issue, Fx.call("Z001", Fx.at(23, 45))])
        #expect(r.services.last?.id == "bikes" && r.services.last?.name == "bikes")
        #expect(r.hours[23] == HourReport(hour: 23, issued: 1, averageWaitSeconds: 900))
        // Unknown service: the default 10-minute target applies.
        #expect(r.service("bikes").withinTarget == 0)
    }
}

extension Fx {
    static func businessDay(_ date: Date) -> String { LocalCalendar(config).businessDay(of: date) }
}
