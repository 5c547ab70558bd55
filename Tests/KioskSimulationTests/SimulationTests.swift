import Foundation
import KioskCore
import KioskRuntime
import Testing
@testable import KioskSimulation

/// A short simulated morning through the real kiosk and store: the same seed gives the same day,
/// every ticket handed out is stored with its estimate, and the figures count the called ones.
struct SimulationTests {
    static let scenario = """
        [scenario]
        name = a short morning
        first-date = 2026-12-07
        days = 1
        warm-up-days = 1
        open = 09:00-10:30
        no-show-share = 20%

        [arrivals]
        09:00 = 20
        10:30 = 20

        [service repairs]
        share = 1
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
        services = fees
        staff = 2001
        login = 09:15
        """

    func run(seed: UInt64) throws -> (SeedRun, [KioskEvent]) {
        Log.threshold = .warning  // as kiosk-sim: hundreds of visits
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sim-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/morning.scenario"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.scenario.write(toFile: file, atomically: true, encoding: .utf8)
        let scenario = try ScenarioParser.parse(Self.scenario, file: file).get()
        let setup = try SiteSetup.prepare(scenario, scenarioFile: file, stateDirectory: folder + "/state").get()
        #expect(setup.configuration.counters.map(\.number) == [1, 2])
        #expect(setup.configuration.staffMember("2001") != nil)  // added with the default PIN
        let run = try Simulation(scenario: scenario, setup: setup).run(seed: seed, stateDirectory: folder + "/state")
        let service = try KioskService(setup: setup, stateDirectory: folder + "/state", now: Date())
        let events = try service.store.events(from: "2026-12-07", through: "2026-12-08").map(\.event)
        return (run, events)
    }

    @Test func aSeedIsADayAndNothingIsLost() throws {
        let (first, events) = try run(seed: 7)
        let (again, _) = try run(seed: 7)
        #expect(first.issued == again.issued)
        #expect(first.figures == again.figures)

        let issued = events.filter { $0.type == .ticketIssued }
        let handed = first.issued.flatMap { d in d.tickets.map { "\(d.day) \($0)" } }
        #expect(handed.count > 30)
        #expect(Set(issued.map { "\($0.day) \($0.ticket!)" }) == Set(handed))
        #expect(issued.allSatisfy { $0.estimateLow != nil && $0.estimateHigh != nil && $0.estimateSeconds != nil })
        #expect(events.contains { $0.type == .counterPaused && $0.counter == 1 })
        #expect(events.contains { $0.type == .ticketNoShow })
        #expect(events.last?.type == .dayClosed || events.contains { $0.type == .dayClosed && $0.day == "2026-12-08" })

        // The measured day only; its called tickets are the ones counted.
        #expect(first.figures.days == ["2026-12-08"])
        let measured = events.filter { $0.day == "2026-12-08" }
        let called = Set(measured.filter { $0.type == .ticketCalled }.compactMap(\.ticket))
        let own = try #require(first.figures.estimators.first { $0.configured })
        #expect(own.figures.count == called.count)
        #expect(first.figures.totals.tickets == measured.filter { $0.type == .ticketIssued }.count)
        #expect(first.figures.totals.served == measured.filter { $0.type == .serviceFinished }.count)
        #expect(Set(first.figures.estimators.map(\.name)) == Set(WaitEstimators.names))
    }

    @Test func aCounterMustServeWhatTheKioskOffers() throws {
        let text = Self.scenario.replacingOccurrences(of: "services = repairs, fees, complaints, permits, move-in, enquiries", with: "services = repairs, fees, parking")
        let scenario = try ScenarioParser.parse(text, file: "m.scenario").get()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sim-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        guard case .failure(let e) = SiteSetup.prepare(scenario, scenarioFile: "m.scenario", stateDirectory: folder) else {
            Issue.record("a counter serving an unknown service was accepted")
            return
        }
        let messages = e.errors.map(\.description)
        #expect(messages.contains { $0.hasPrefix("m.scenario:21: [counter 1] serves 'parking', which ") && $0.contains("does not have; use one of repairs, fees") })
        #expect(messages.contains { $0.hasPrefix("m.scenario:21: no counter serves 'complaints' of ") })
    }

    @Test func anotherSeedIsAnotherDay() throws {
        #expect(try run(seed: 1).0.issued != run(seed: 2).0.issued)
    }
}
