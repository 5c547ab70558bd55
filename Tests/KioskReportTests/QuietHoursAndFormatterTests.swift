import Foundation
import Testing
@testable import KioskCore

@Suite struct QuietHoursTests {
    /// Tickets per hour 08…15: 1 5 4 3 1 2 3 1 (20 in all), alternating over two days.
    static func history(droppingOneAt dropHour: Int? = nil, extraAt extraHour: Int? = nil) -> [KioskEvent] {
        var counts: [Int: Int] = [8: 1, 9: 5, 10: 4, 11: 3, 12: 1, 13: 2, 14: 3, 15: 1]
        if let dropHour { counts[dropHour]! -= 1 }
        if let extraHour { counts[extraHour, default: 0] += 1 }
        var events: [KioskEvent] = []
        var n = 0
        for hour in counts.keys.sorted() {
            for i in 0..<counts[hour]! {
                n += 1
                let date = n % 2 == 0 ? "2026-11-23" : "2026-11-24"
                events.append(Fx.issue(String(format: "A%03d", n), "repairs", Fx.at(hour, i * 5, date: date), day: date))
                // Other events never count as tickets.
                events.append(Fx.call(String(format: "A%03d", n), Fx.at(hour, i * 5 + 2, date: date), day: date))
            }
        }
        return events
    }

    @Test func nilBelowTheMinimum() {
        #expect(QuietHours.advice(events: Self.history(droppingOneAt: 9), timeZone: Fx.tz) == nil)  // 19 tickets
        #expect(QuietHours.advice(events: [], timeZone: Fx.tz) == nil)
        #expect(QuietHours.advice(events: [], timeZone: Fx.tz, minimumTickets: 0) == nil)
    }

    @Test func adviceAtAndAboveTheMinimum() throws {
        let advice = try #require(QuietHours.advice(events: Self.history(), timeZone: Fx.tz))  // exactly 20
        // Busy: 9 (5), 10 (4), then 11 and 14 tie at 3 → the earlier, 11.
        #expect(advice.busy == [9, 10, 11])
        // Quiet: opening hours not busy with the fewest: 8, 12, 15 (1 each).
        #expect(advice.quiet == [8, 12, 15])

        // One more ticket at 15:00 (21 tickets): 15 now has 2 and ties 13; the quiet list takes 13.
        let more = try #require(QuietHours.advice(events: Self.history(extraAt: 15), timeZone: Fx.tz))
        #expect(more.busy == [9, 10, 11])
        #expect(more.quiet == [8, 12, 13])
    }

    @Test func hoursFollowTheTimeZone() throws {
        let utc = try #require(QuietHours.advice(events: Self.history(), timeZone: TimeZone(identifier: "UTC")!))
        #expect(utc.busy == [1, 2, 3])  // Shanghai is UTC+8
        #expect(utc.quiet == [0, 4, 7])
    }

    @Test func fewOpeningHours() throws {
        let events = (0..<20).map { Fx.issue(String(format: "A%03d", $0), "fees", Fx.at($0 < 15 ? 9 : 10, $0)) }
        let advice = try #require(QuietHours.advice(events: events, timeZone: Fx.tz))
        #expect(advice.busy == [9, 10])
        #expect(advice.quiet == [])
    }
}

@Suite struct ReportFormatterTests {
    static var richReport: Report {
        var events = ReportBuilderTests.tenVisits
        events += Fx.visit("F001", "enquiries", issued: Fx.at(11, 0), waitSeconds: 65, serviceSeconds: 125, staff: "1002")
        events += [Fx.rate("F001", 2, Fx.at(11, 10), staff: "1002"), Fx.reason("F001", "reason.wait", Fx.at(11, 10)),
                   Fx.rate("A001", 4, Fx.at(11, 10)), Fx.issue("B001", "fees", Fx.at(13, 0)),
                   Fx.event(.carePredicted, Fx.at(9, 4), ticket: "A003"),
                   Fx.event(.careAlertRaised, Fx.at(9, 12), ticket: "A003"),
                   Fx.event(.careAcknowledged, Fx.at(9, 14, 30), ticket: "A003"),
                   Fx.event(.caseOpened, Fx.at(11, 20), ticket: "A001") {
                       $0.caseRef = "K1"; $0.deadline = Fx.at(11, 20, date: "2026-11-26")
                   }]
        return Fx.build(events)
    }

    @Test func jsonRoundTrip() throws {
        let report = Self.richReport
        let json = ReportFormatter.json(report)
        let decoded = try ReportFormatter.makeDecoder().decode(Report.self, from: Data(json.utf8))
        #expect(decoded == report)
        // Empty report too (all the nils).
        let empty = Fx.build([])
        #expect(try ReportFormatter.makeDecoder().decode(Report.self, from: Data(ReportFormatter.json(empty).utf8)) == empty)
        // Pretty and with sorted keys.
        #expect(json.contains("\n"))
        let keys = ["\"care\"", "\"cases\"", "\"days\"", "\"generatedAt\"", "\"hours\""]
        let positions = keys.map { json.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(json.contains("2026-11-24T10:00:00Z"))  // generatedAt 18:00 Shanghai
    }

    @Test func valueFormats() {
        #expect(ReportFormatter.percent(0.8) == "80.0%")
        #expect(ReportFormatter.percent(2.0 / 3.0) == "66.7%")
        #expect(ReportFormatter.percent(nil) == "—")
        #expect(ReportFormatter.duration(353) == "5:53")
        #expect(ReportFormatter.duration(59.6) == "1:00")
        #expect(ReportFormatter.duration(3725) == "62:05")
        #expect(ReportFormatter.duration(nil) == "—")
        #expect(ReportFormatter.decimal(83.5) == "83.5")
        #expect(ReportFormatter.decimal(nil) == "—")
    }

    @Test func textReport() {
        let text = ReportFormatter.text(Self.richReport, catalog: nil)
        for expected in ["Queue", "Service and satisfaction", "Staff", "Care alerts", "Predicted", "Cases", "Busiest hours",
                         "报修", "合计", "张敏", "5:53", "11:40", "80.0%", "50.0%", "reason.wait 1", "09:00", "—"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        // Columns line up: every row of the queue table has the same display width as its header.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = lines.firstIndex(of: "Queue")! + 1
        let table = lines[start...].prefix { !$0.isEmpty }
        let widths = Set(table.map { ReportFormatter.displayWidth($0) })
        #expect(widths.count == 1, "\(table.joined(separator: "\n"))")
    }
}
