import Foundation
import Testing
@testable import KioskCore

/// kiosk-central builds one report over several kiosks: ticket labels, counters and case
/// references repeat from kiosk to kiosk and must not be merged.
@Suite("Reports over several kiosks")
struct MultiSourceReportTests {
    /// Kiosk A: A001 waits 4 min, A002 waits 16 min, staff 1001 rates 1. Kiosk B: its own A001
    /// waits 8 min, staff 1001 (a different person at another site) rates 4, a case opened.
    func kioskA() -> [KioskEvent] {
        Fx.visit("A001", "repairs", issued: Fx.at(9, 0), waitSeconds: 240, serviceSeconds: 300)
            + [Fx.rate("A001", 1, Fx.at(9, 10))]
            + Fx.visit("A002", "repairs", issued: Fx.at(9, 5), waitSeconds: 960, serviceSeconds: 120)
    }

    func kioskB() -> [KioskEvent] {
        var opened = Fx.event(.caseOpened, Fx.at(9, 30), ticket: "A001") { $0.caseRef = "C-20261124-001"; $0.service = "repairs" }
        opened.counter = 1
        return Fx.visit("A001", "repairs", issued: Fx.at(9, 1), waitSeconds: 480, serviceSeconds: 200)
            + [Fx.rate("A001", 4, Fx.at(9, 20)), opened]
    }

    @Test func ticketsOfTwoKiosksWithTheSameLabelsAreCountedApart() {
        let sources = [ReportSource(events: kioskA(), configuration: Fx.config), ReportSource(events: kioskB(), configuration: Fx.config)]
        let r = ReportBuilder.build(sources: sources, now: Fx.at(18, 0))
        #expect(r.overall.issued == 3 && r.overall.called == 3 && r.overall.served == 3)
        #expect(r.overall.wait.count == 3)
        #expect(r.overall.wait.average == (240 + 960 + 480) / 3.0)
        #expect(r.overall.withinTarget == 2.0 / 3.0)
        #expect(r.overall.ratings == 2 && r.overall.satisfactionIndex == 50)
        #expect(r.cases.opened == 1)
        #expect(r.hours[9].issued == 3)
        // One site: staff 1001 is one person at both kiosks.
        #expect(r.staff.map(\.number) == ["1001"] && r.staff[0].served == 3 && r.staff[0].ratings == 2)
        // The single-kiosk entry point is the one-source case.
        #expect(ReportBuilder.build(events: kioskA(), configuration: Fx.config, now: Fx.at(18, 0))
                == ReportBuilder.build(sources: [sources[0]], now: Fx.at(18, 0)))
    }

    @Test func staffOfDifferentSitesAreDifferentPeopleInTheFleet() {
        let sources = [ReportSource(events: kioskA(), configuration: Fx.config, staffScope: "tower-a"),
                       ReportSource(events: kioskB(), configuration: Fx.config, staffScope: "tower-b")]
        let r = ReportBuilder.build(sources: sources, now: Fx.at(18, 0))
        #expect(r.staff.map(\.number) == ["tower-a/1001", "tower-b/1001"])
        #expect(r.staff.map(\.satisfactionIndex) == [100, 0])
        #expect(r.staff[0].name == "张敏 · tower-a")
    }

    @Test func eachKioskUsesItsOwnTargetAndTimeZone() {
        var strict = Fx.config
        strict.services = strict.services.map { var s = $0; s.targetWaitMinutes = 5; return s }
        strict.timeZone = TimeZone(identifier: "UTC")!
        let sources = [ReportSource(events: kioskA(), configuration: Fx.config), ReportSource(events: kioskB(), configuration: strict)]
        let r = ReportBuilder.build(sources: sources, now: Fx.at(18, 0))
        // B's 8-minute wait misses its 5-minute target; A's 4-minute one meets 10.
        #expect(r.overall.withinTarget == 1.0 / 3.0)
        // B's ticket was issued at 09:01 Shanghai = 01:01 UTC.
        #expect(r.hours[9].issued == 2 && r.hours[1].issued == 1)
    }
}
