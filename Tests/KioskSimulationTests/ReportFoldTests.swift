import Foundation
import KioskCore
import KioskReports
import KioskRuntime
import Testing
@testable import KioskSimulation

/// Reports are merged from day folds (`ReportDayFold`, `ReportFold`): the kiosk merges them in
/// memory, kiosk-central merges the ones it stored as JSON. On real simulated days (the whole
/// kiosk under kiosk-sim's residents and staff), the merged report equals the one-pass fold of
/// all events the project had before (`ReferenceReportBuilder`), and stored folds merged in any
/// order give exactly the same report.
@Suite(.serialized) struct ReportFoldTests {
    static let scenario = """
        [scenario]
        name = two mornings
        first-date = 2026-12-07
        days = 1
        warm-up-days = 1
        open = 09:00-11:30
        priority-share = 10%
        no-show-share = 10%

        [arrivals]
        09:00 = 30
        10:00 = 40
        11:30 = 20

        [service repairs]
        share = 2
        time = lognormal 4m 0.5

        [service fees]
        share = 1
        time = fixed 2m

        [counter 1]
        services = repairs, fees, complaints, permits, move-in, enquiries
        staff = 1001
        login = 08:55
        pause = 09:40-09:50

        [counter 2]
        services = fees, repairs
        staff = 2001
        login = 09:15
        """

    /// Two kiosks' simulated days (seeds 5 and 6), simulated once for every test here (make
    /// test's budget is tight).
    static let kiosks: [([KioskEvent], Configuration)] = [try! days(seed: 5), try! days(seed: 6)]

    /// The events of two simulated days of one seed, and the site's configuration.
    static func days(seed: UInt64) throws -> ([KioskEvent], Configuration) {
        Log.threshold = .warning
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fold-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/days.scenario"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let parsed = try ScenarioParser.parse(scenario, file: file).get()
        let setup = try SiteSetup.prepare(parsed, scenarioFile: file, stateDirectory: folder + "/state").get()
        _ = try Simulation(scenario: parsed, setup: setup).run(seed: seed, stateDirectory: folder + "/state")
        let service = try KioskService(setup: setup, stateDirectory: folder + "/state", now: Date())
        return (try service.store.events(from: "2026-12-01", through: "2026-12-31").map(\.event), setup.configuration)
    }

    /// Every number of two reports' JSON equal (to 1e-9 relative: a mean of minutes summed in
    /// seconds may differ in its last bit), every other value identical.
    static func same(_ a: Report, _ b: Report) -> [String] {
        func json(_ r: Report) -> Any { try! JSONSerialization.jsonObject(with: Data(ReportFormatter.json(r).utf8)) }
        var differences: [String] = []
        func walk(_ x: Any, _ y: Any, _ path: String) {
            switch (x, y) {
            case let (x as [String: Any], y as [String: Any]):
                for key in Set(x.keys).union(y.keys) { walk(x[key] ?? NSNull(), y[key] ?? NSNull(), path + "." + key) }
            case let (x as [Any], y as [Any]):
                if x.count != y.count { differences.append("\(path): \(x.count) vs \(y.count) items"); return }
                for (i, (u, v)) in zip(x, y).enumerated() { walk(u, v, "\(path)[\(i)]") }
            case let (x as NSNumber, y as NSNumber):
                let (u, v) = (x.doubleValue, y.doubleValue)
                if abs(u - v) > 1e-9 * max(1, abs(u)) { differences.append("\(path): \(u) vs \(v)") }
            default:
                if "\(x)" != "\(y)" { differences.append("\(path): \(x) vs \(y)") }
            }
        }
        walk(json(a), json(b), "")
        return differences
    }

    @Test func mergedDayFoldsEqualTheOnePassFold() throws {
        let (events, configuration) = Self.kiosks[0]
        let days = Set(events.map(\.day))
        #expect(days.count >= 2)
        #expect(events.filter { $0.type == .ticketIssued }.count > 100)
        #expect(events.contains { $0.type == .ticketNoShow } && events.contains { $0.type == .ratingRecorded })
        // On the last day and days after (all days over).
        for now in [Date(timeIntervalSince1970: 1_796_695_200), Date(timeIntervalSince1970: 1_797_000_000)] {
            let merged = ReportBuilder.build(events: events, configuration: configuration, now: now)
            let reference = ReferenceReportBuilder.build(events: events, configuration: configuration, now: now)
            #expect(merged.overall.wait.count > 80 && merged.overall.served > 80)
            let differences = Self.same(merged, reference)
            #expect(differences.isEmpty, "\(differences.prefix(5))")
        }
    }

    @Test func twoKiosksStoredAndMergedInAnyOrderGiveTheSameReport() throws {
        let (a, configuration) = Self.kiosks[0]
        let (b, _) = Self.kiosks[1]
        let now = Date(timeIntervalSince1970: 1_797_000_000)
        let sources = [ReportSource(events: a, configuration: configuration, staffScope: "site-a"),
                       ReportSource(events: b, configuration: configuration, staffScope: "site-b")]
        let direct = ReportPeriod(sources: sources, now: now)
        #expect(Self.same(direct.report, ReferenceReportBuilder.build(sources: sources, now: now)).isEmpty)

        // As kiosk-central holds them: every kiosk-day folded, packed, unpacked.
        var stored: [(source: Int, packed: [UInt8])] = []
        for (i, s) in sources.enumerated() {
            for day in ReportDayFold.days(of: s.events, configuration: s.configuration) {
                let packed = day.packed()
                #expect(try ReportDayFold(packed: packed) == day)
                #expect(try JSONDecoder().decode(ReportDayFold.self, from: try JSONEncoder().encode(day)) == day)
                stored.append((i, packed))
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            var fold = ReportFold()
            for (i, packed) in stored.shuffled(using: &generator) {
                fold.add(try ReportDayFold(packed: packed), configuration: configuration,
                         staffScope: sources[i].staffScope, now: now, caseState: sources[i].caseState())
            }
            #expect(fold.report(sources: sources.map(\.foldSource), now: now) == direct.report)
        }
        // Day by day, as the pages read them (by day, then kiosk).
        var period = ReportPeriodFold(sources: sources.map(\.foldSource), now: now)
        let ordered = try stored.map { (source: $0.source, day: try ReportDayFold(packed: $0.packed)) }
            .sorted { ($0.day.day, $0.source) < ($1.day.day, $1.source) }
        for (i, day) in ordered {
            period.add(day, configuration: configuration, staffScope: sources[i].staffScope, caseState: sources[i].caseState())
        }
        let read = period.finish()
        #expect(read.report == direct.report && read.distribution == direct.distribution)
        #expect(read.daily.map(\.day) == direct.daily.map(\.day) && read.daily.map(\.report) == direct.daily.map(\.report))
        #expect(direct.daily.count >= 2 && direct.report.staff.count >= 4)
        // A stored busy kiosk-day is small: what a year of a fleet reads instead of its events.
        let sizes = stored.map(\.packed.count)
        #expect(sizes.max()! < 4_000, "largest stored day fold \(sizes.max()!) bytes")
        #expect((try? ReportDayFold(packed: stored[0].packed.dropLast())) == nil && (try? ReportDayFold(packed: [ReportDayFold.packingVersion + 1] + stored[0].packed.dropFirst())) == nil)
    }
}
