import Foundation
import KioskReports
import Testing
@testable import KioskCore

/// The accuracy figures (ISSUE 11 "Definitions"), computed by hand on small cases.
@Suite struct EstimateAccuracyTests {
    /// (low, high, estimateSeconds, wait seconds):
    /// 1. 0–5, point 2 min, waited 3 min: kept, inside, error +1
    /// 2. 5–10, point 7.5 min, waited 4 min: kept (early), not inside, error −3.5
    /// 3. 0–5, no point stored (old event: the middle, 2.5), waited 11 min: broken, error +8.5 (under > 5)
    /// 4. 10–20, point 15 min, waited exactly 20 min: kept and inside (ends count), error +5 (not > 5)
    static let tickets: [(Int, Int, Int?, Double)] = [(0, 5, 120, 180), (5, 10, 450, 240), (0, 5, nil, 660), (10, 20, 900, 1200)]

    static func fold(_ list: [(Int, Int, Int?, Double)]) -> EstimateAccuracy.Tally {
        var tally = EstimateAccuracy.Tally()
        for (low, high, seconds, wait) in list { tally.add(low: low, high: high, estimateSeconds: seconds, waitSeconds: wait) }
        return tally
    }

    @Test func handComputedFigures() {
        let f = Self.fold(Self.tickets).figures
        #expect(f.count == 4)
        #expect(f.promiseKept == 0.75)
        #expect(f.insideRange == 0.5)
        #expect(f.meanAbsoluteError == 4.5)  // (1 + 3.5 + 8.5 + 5) / 4
        #expect(f.bias == 2.75)  // (1 − 3.5 + 8.5 + 5) / 4
        #expect(f.underPredictedOver5 == 0.25)
        #expect(f.medianRangeWidth == 5)  // 5 5 5 10
    }

    @Test func medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        #expect(Self.fold([(0, 2, 60, 60), (0, 4, 60, 60)]).figures.medianRangeWidth == 3)
        #expect(Self.fold([(0, 2, 60, 60), (0, 9, 60, 60), (0, 4, 60, 60)]).figures.medianRangeWidth == 4)
    }

    @Test func mergedFoldsEqualOneFold() {
        var first = Self.fold(Array(Self.tickets.prefix(2)))
        first.merge(Self.fold(Array(Self.tickets.suffix(2))))
        #expect(first.figures == Self.fold(Self.tickets).figures)
    }

    @Test func nothingCountedIsNullNotZero() {
        let f = EstimateAccuracy.Tally().figures
        #expect(f.count == 0)
        #expect(f.promiseKept == nil && f.insideRange == nil && f.meanAbsoluteError == nil && f.bias == nil)
        #expect(f.underPredictedOver5 == nil && f.medianRangeWidth == nil)
        let json = String(decoding: try! JSONEncoder().encode(f), as: UTF8.self)
        #expect(json.contains("\"meanAbsoluteError\":null"))
    }

    /// The report: per service (at the first call) and per day, from what the tickets stored;
    /// walk-outs are not counted.
    @Test func reportPerServiceAndPerDay() throws {
        func issue(_ label: String, _ service: String, _ time: Date, day: String, low: Int, high: Int, seconds: Int?) -> KioskEvent {
            var e = Fx.issue(label, service, time, day: day, high: high)
            e.estimateLow = low
            e.estimateSeconds = seconds
            return e
        }
        let nextDay = "2026-11-25"
        let events = [
            issue("A001", "repairs", Fx.at(9, 0), day: Fx.day, low: 0, high: 5, seconds: 120),
            Fx.call("A001", Fx.at(9, 3)),
            issue("B001", "fees", Fx.at(9, 1), day: Fx.day, low: 5, high: 10, seconds: 450),
            Fx.call("B001", Fx.at(9, 5)),
            issue("A002", "repairs", Fx.at(9, 2), day: Fx.day, low: 0, high: 5, seconds: 60),  // never called
            issue("A001", "repairs", Fx.at(9, 0, date: nextDay), day: nextDay, low: 0, high: 5, seconds: nil),
            Fx.call("A001", Fx.at(9, 11, date: nextDay), day: nextDay),
        ]
        let r = Fx.build(events)
        let repairs = r.service("repairs").estimates
        #expect(repairs.count == 2)
        #expect(repairs.meanAbsoluteError == 4.75)  // |3 − 2| and |11 − 2.5|
        #expect(repairs.promiseKept == 0.5)
        #expect(r.service("fees").estimates.insideRange == 0)  // 4 min, before 5–10
        #expect(r.overall.estimates.count == 3)
        #expect(r.overall.estimates.bias == Self.fold([(0, 5, 120, 180), (5, 10, 450, 240), (0, 5, nil, 660)]).figures.bias)
        #expect(r.estimatesByDay.map(\.day) == [Fx.day, nextDay])
        #expect(r.estimatesByDay[0].estimates.count == 2)
        #expect(r.estimatesByDay[1].estimates.underPredictedOver5 == 1)
        #expect(ReportFormatter.text(r).contains("Estimate accuracy"))
        // The report page draws the same figures, each named by its JSON path.
        let html = ReportPeriod(sources: [ReportSource(events: events, configuration: Fx.config, cases: [])], now: Fx.at(18, 0)).html()
        #expect(html.contains("Estimate accuracy 预计等候准确度"))
        #expect(html.contains("data-metric=\"overall.estimates.count\" data-value=\"3\""))
        #expect(html.contains("data-metric=\"estimatesByDay[1].estimates.underPredictedOver5\" data-value=\"1\""))
        let repairsIndex = try #require(r.services.firstIndex { $0.id == "repairs" })
        #expect(html.contains("data-metric=\"services[\(repairsIndex)].estimates.meanAbsoluteError\" data-value=\"4.75\""))
    }
}
