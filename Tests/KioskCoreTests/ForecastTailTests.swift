import Foundation
import Testing
@testable import KioskCore

/// The forecast's two models beyond its lists of observations: the lognormal tail of a visit
/// that has outlasted nearly every recorded one, and the daily break at the times it began on
/// earlier days.
@Suite("Forecast tails and breaks")
struct ForecastTailTests {
    /// Durations spread like a lognormal of median 12 minutes and σ 0.5 (evenly spaced quantiles).
    static let twelveMinuteVisits: [Double] = (1...199).map { i in
        720 * Foundation.exp(0.5 * StandardNormal.quantile(Double(i) / 200))
    }

    @Test func aFitRecoversTheLogMeanAndSpread() throws {
        let fit = try #require(LogNormalFit(Self.twelveMinuteVisits, minimum: 5))
        #expect(abs(fit.mu - Foundation.log(720)) < 0.01)
        #expect(abs(fit.sigma - 0.5) < 0.03)
        #expect(LogNormalFit([600, 700, 800, 900], minimum: 5) == nil, "too few to fit")
        #expect(try #require(LogNormalFit([600, 600, 600, 600, 600], minimum: 5)).sigma == LogNormalFit.minimumSigma)
    }

    @Test func theRemainingTimeOfALongVisitFollowsTheConditionedTail() {
        let fit = LogNormalFit(mu: Foundation.log(720), sigma: 0.5)
        var rng = SplitMix64(seed: 7)
        func medianResidual(after elapsed: Double) -> Double {
            let draws = (0..<4_001).map { _ in fit.residual(after: elapsed, &rng) }.sorted()
            #expect(draws.allSatisfy { $0 >= 0 && $0.isFinite })
            return draws[2_000]
        }
        // Conditional median of a visit 15 minutes into a 12-minute-median service: the duration
        // whose survival is half of S(15 min) = 0.328, 1,174 s, so about 4.6 minutes more.
        #expect(abs(medianResidual(after: 900) - 274) < 25)
        // Far in the tail (an hour in) it still answers a finite, positive time.
        let late = medianResidual(after: 3_600)
        #expect(late > 60 && late < 1_200, "\(late)")
        // Not started: an unconditioned draw (median 12 minutes).
        #expect(abs(medianResidual(after: 0) - 720) < 60)
    }

    /// A counter that takes its break at 12:30 on three of four days.
    static func breakDays() -> Harness {
        var h = Harness({ $0.counters = [CounterConfig(number: 1, services: ["repairs"])] }, at: morning.addingTimeInterval(-1_800))
        for day in 0..<4 {
            let opening = morning.addingTimeInterval(Double(day) * 86_400 - 1_800)  // 08:30
            h.advance(opening.timeIntervalSince(h.now))
            h.login(1)
            h.advance(4 * 3_600)  // 12:30
            if day != 2 {
                h.press("9", .counter(1))
                h.advance(1_800)
                h.press("9", .counter(1))
            }
            h.advance(3 * 3_600)
            h.press("0", .counter(1))
        }
        return h
    }

    @Test func theDailyBreakIsExpectedAtTheTimeItBeganOnEarlierDays() throws {
        var h = Self.breakDays()
        h.advance(morning.addingTimeInterval(4 * 86_400 - 1_800).timeIntervalSince(h.now))
        h.login(1)
        let history = try #require((h.machine.estimator as? ForecastWaitEstimator)?.history)
        // 11:00: three of the four earlier days had a break later, all at 12:30.
        let eleven = history.breakOutlook(1, at: morning.addingTimeInterval(4 * 86_400 + 7_200))
        #expect(eleven.chance == 0.75)
        #expect(eleven.offsets == [5_400, 5_400, 5_400])
        // 12:45 without a break yet: on every earlier day it had begun by then or never came.
        let late = history.breakOutlook(1, at: morning.addingTimeInterval(4 * 86_400 + 13_500))
        #expect(late.chance == 0 && late.offsets.isEmpty)
    }

    /// Four days whose break began at 12:30 + `lateBy[day]` minutes and lasted `length(day)`.
    static func breaks(lateBy: [Double], length: (Int) -> Double) -> Harness {
        var h = Harness({ $0.counters = [CounterConfig(number: 1, services: ["repairs"])] }, at: morning.addingTimeInterval(-1_800))
        for day in lateBy.indices {
            let opening = morning.addingTimeInterval(Double(day) * 86_400 - 1_800)  // 08:30
            h.advance(opening.timeIntervalSince(h.now))
            h.login(1)
            h.advance(4 * 3_600 + lateBy[day] * 60)
            h.press("9", .counter(1))
            h.advance(length(day))
            h.press("9", .counter(1))
            h.advance(3_600)
            h.press("0", .counter(1))
        }
        h.advance(morning.addingTimeInterval(Double(lateBy.count) * 86_400 - 1_800).timeIntervalSince(h.now))
        h.login(1)
        return h
    }

    @Test func aBreakOnARotaEndsAtItsTimeHoweverLateItBegan() throws {
        // Begun 0, 5, 10 and 3 minutes late, back at 13:00 each day: the end is the rule.
        let late: [Double] = [0, 5, 10, 3]
        let rota = Self.breaks(lateBy: late) { 1_800 - late[$0] * 60 }
        let history = try #require((rota.machine.estimator as? ForecastWaitEstimator)?.history)
        let eleven = morning.addingTimeInterval(4 * 86_400 + 7_200)
        #expect(history.breakEndOutlook(1, at: eleven) == [7_200, 7_200, 7_200, 7_200])  // 13:00, from 11:00
        // The same late starts, 30 minutes each: the length is the rule, the end is not.
        let lengths = Self.breaks(lateBy: late) { _ in 1_800 }
        #expect(try #require((lengths.machine.estimator as? ForecastWaitEstimator)?.history).breakEndOutlook(1, at: eleven) == nil)
    }

    @Test func aCounterWhoseStaffComeAtNineIsExpectedAtNine() throws {
        // Counter 1 (repairs) is staffed at 08:30, counter 2 (fees) at 09:00, four days running.
        var h = Harness({ $0.counters = [CounterConfig(number: 1, services: ["repairs"]), CounterConfig(number: 2, services: ["fees"])] },
                        at: morning.addingTimeInterval(-1_800))
        for day in 0..<5 {
            h.advance(morning.addingTimeInterval(Double(day) * 86_400 - 1_800).timeIntervalSince(h.now))  // 08:30
            h.login(1)
            if day == 4 { break }
            h.advance(1_800)
            h.login(2, staff: "1002")
            h.advance(7 * 3_600)
            h.press("0", .counter(1))
            h.press("0", .counter(2))
        }
        h.advance(300)  // 08:35 on the fifth day: nobody at counter 2 yet
        let fees = h.machine.estimate(.newTicket(service: "fees", priority: false), now: h.now)
        #expect(!fees.countersOpen)
        // Called when counter 2's staff come, at 09:00 (25 minutes), not at once.
        #expect(fees.point > 24.5 && fees.point < 27, "\(fees)")
    }

    @Test func aCounterOnItsRotaBreakIsExpectedBackAtTheRotaTime() throws {
        let late: [Double] = [0, 5, 10, 3]
        var h = Self.breaks(lateBy: late) { 1_800 - late[$0] * 60 }
        h.takeTicket(1)  // a repairs ticket waits
        h.advance(4 * 3_600 + 20 * 60)  // 12:50: on the break, begun 20 minutes late
        h.press("9", .counter(1))
        h.advance(60)  // 12:51
        let forecast = try #require(h.machine.estimator as? ForecastWaitEstimator)
        #expect(forecast.history.onFirstBreak(1))
        let waiting = try #require(h.machine.state.waitingTickets.first)
        let estimate = forecast.estimate(.waiting(label: waiting.label), state: h.machine.state, now: h.now)
        // Back at 13:00 (9 minutes), not after a usual 20–30 minute break.
        #expect(estimate.point > 8.5 && estimate.point < 10, "\(estimate.point)")
    }
}
