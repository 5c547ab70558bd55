import Foundation
import Testing
@testable import KioskSimulation

/// Scenario files: a good one read in full; each mistake named with its line and how to write it.
struct ScenarioParserTests {
    static let good = """
        # a small site
        [scenario]
        name = small site
        first-date = 2026-12-01
        days = 2
        warm-up-days = 3
        seeds = 1-3, 9
        open = 09:00-12:00   # morning only
        tick = 30s
        priority-share = 20%
        no-show-share = 0.1
        walk-up = uniform 10s 20s
        reaction = fixed 5s
        ratings = 1, 1, 1, 1

        [arrivals]
        09:00 = 10
        10:30 = 20

        [service repairs]
        share = 3
        time = lognormal 6m 0.5

        [service fees]
        share = 1
        time = exponential 90s

        [counter 1]
        services = repairs, fees
        staff = 1001
        pin = 1234
        login = 08:55
        pause = 10:00-10:15, 11:00-11:05
        """

    @Test func readsAGoodFile() throws {
        let s = try ScenarioParser.parse(Self.good, file: "small.scenario").get()
        #expect(s.name == "small site")
        #expect(s.firstDate == "2026-12-01" && s.days == 2 && s.warmUpDays == 3)
        #expect(s.seeds == [1, 2, 3, 9])
        #expect(s.opens == 9 * 3600 && s.closes == 12 * 3600)
        #expect(s.tickSeconds == 30)
        #expect(s.priorityShare == 0.2 && s.noShowShare == 0.1)
        #expect(s.walkUp == .uniform(low: 10, high: 20) && s.reaction == .fixed(5))
        #expect(s.ratingWeights == [1, 1, 1, 1])
        #expect(s.arrivals.perHour(at: 9.75 * 3600) == 15)
        #expect(s.services.map(\.id) == ["repairs", "fees"])
        #expect(s.services[0].time == .lognormal(median: 360, spread: 0.5))
        #expect(s.services[1].time == .exponential(mean: 90))
        #expect(s.counters == [CounterPlan(number: 1, services: ["repairs", "fees"], staff: "1001", pin: "1234", login: 8 * 3600 + 3300,
                                           pauses: [36000...36900, 39600...39900], line: 28)])
    }

    /// The file with line `number` (1-based) replaced by `text` ("" drops it).
    static func withLine(_ number: Int, _ text: String) -> String {
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[number - 1] = text
        return lines.joined(separator: "\n")
    }

    static func errors(_ text: String) -> [String] {
        switch ScenarioParser.parse(text, file: "s.scenario") {
        case .success: return []
        case .failure(let e): return e.errors.map(\.description)
        }
    }

    @Test(arguments: [
        (3, "nmae = x", "s.scenario:3: 'nmae' is not a key of [scenario]; the keys are name, config"),
        (9, "tick = soon", "s.scenario:9: tick must be a duration from 1s to 1h such as 60s or 2m, not 'soon'"),
        (10, "priority-share = 120%", "s.scenario:10: priority-share must be a share such as 10% or 0.1 (0 to 100%), not '120%'"),
        (8, "open = 17:00-09:00", "s.scenario:8: open must be the opening hours as HH:MM-HH:MM within one day"),
        (7, "seeds = a-b", "s.scenario:7: seeds must be whole numbers such as 1-5 or 1, 7, 9, not 'a-b'"),
        (17, "9am = 10", "s.scenario:17: '9am' is not a time of day; write HH:MM = ARRIVALS-PER-HOUR, e.g. 10:00 = 19"),
        (18, "10:30 = lots", "s.scenario:18: 'lots' is not a number of arrivals per hour"),
        (22, "time = normal 6m", "s.scenario:22: time: 'normal 6m' is not a distribution; write 'lognormal MEDIAN SPREAD'"),
        (22, "time = lognormal 6 minutes 0.5", "s.scenario:22: time: 'lognormal 6 minutes 0.5' is not a distribution"),
        (22, "time = lognormal 6m 9", "s.scenario:22: time: lognormal needs a median duration above 0 and a spread between 0 and 3"),
        (12, "walk-up = uniform 45s 15s", "s.scenario:12: walk-up: uniform needs LOW ≤ HIGH; write e.g. uniform 15s 45s"),
        (14, "ratings = 1, 2", "s.scenario:14: ratings must be four weights for the levels 1 (非常满意) to 4 (不满意)"),
        (21, "share = -1", "s.scenario:21: share must be a weight of 0 or more (e.g. share = 25), not '-1'"),
        (30, "staff = 12", "s.scenario:30: staff must be a staff number of 3 to 8 digits (e.g. staff = 1001), not '12'"),
        (32, "login = noon", "s.scenario:32: login must be a time of day HH:MM (e.g. login = 08:30), not 'noon'"),
        (33, "pause = lunch", "s.scenario:33: pause must be breaks as HH:MM-HH:MM separated by commas"),
        (31, "colour = red", "s.scenario:31: 'colour' is not a key of [counter 1]; the keys are services, staff, pin, login, pause"),
        (16, "[arrival]", "s.scenario:16: [arrival] is not a section of a scenario; write [scenario], [arrivals], [service ID] or [counter N]"),
        (28, "[counter x]", "s.scenario:28: 'x' is not a counter number; write [counter N] with N from 1 to 99"),
        (20, "[service repairs", "s.scenario:20: '[service repairs' opens a section without closing it"),
        (4, "first-date = 1 Dec", "s.scenario:4: first-date must be a day written YYYY-MM-DD, not '1 Dec'"),
        (4, "name = again", "s.scenario:4: 'name' is set twice in this section; keep one"),
        (5, "just words", "s.scenario:5: 'just words' is not a setting; write key = value"),
    ])
    func eachMistakeSaysWhereAndHowToWriteIt(line: Int, text: String, expected: String) {
        let found = Self.errors(Self.withLine(line, text))
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test func aSettingBeforeAnySection() {
        #expect(Self.errors("days = 2\n" + Self.good).first
            == "s.scenario:1: 'days' comes before any section; put it under [scenario], [arrivals], [service ID] or [counter N]")
    }

    @Test func missingPiecesAreNamedAtTheirSection() {
        #expect(Self.errors(Self.withLine(22, "")).contains("s.scenario:20: [service repairs] has no time; add time = DISTRIBUTION (e.g. time = lognormal 6m 0.5)"))
        #expect(Self.errors(Self.withLine(21, "")).contains("s.scenario:20: [service repairs] has no share; add share = WEIGHT (e.g. share = 25)"))
        #expect(Self.errors(Self.withLine(32, "")).contains("s.scenario:28: [counter 1] has no login; add login = HH:MM (when staff log in)"))
        let noArrivals = Self.withLine(17, "").replacingOccurrences(of: "10:30 = 20", with: "")
        #expect(Self.errors(noArrivals).contains("s.scenario:16: no arrivals are given; add an [arrivals] section with lines HH:MM = ARRIVALS-PER-HOUR"))
    }

    @Test func countersAndServicesMustFitTogether() {
        #expect(Self.errors(Self.withLine(29, "services = repairs, permits")) == [
            "s.scenario:24: no counter serves 'fees', so its tickets would never be called; add it to a counter's services",
        ])
        let twoCounters = Self.good + "\n[counter 2]\nservices = fees\nstaff = 1001\nlogin = 09:00\n"
        #expect(Self.errors(twoCounters) == ["s.scenario:34: staff 1001 already logs in at counter 1; give each counter its own staff number"])
    }

    @Test func theShippedScenariosRead() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["busy-day", "four-counters"] {
            let s = try ScenarioParser.load(path: root.appendingPathComponent("Kiosk/scenarios/\(name).scenario").path).get()
            #expect(s.seeds == [1, 2, 3, 4, 5] && s.warmUpDays == 5 && s.days == 1)
            #expect((0.93...0.97).contains(SimulationReport.peakLoad(s)))
        }
    }
}
