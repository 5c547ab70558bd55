import Foundation
import KioskCore
import KioskRuntime
import KioskStorage
import Testing

/// kioskd reads four weeks of tickets row by row for the lobby's quiet-hour advice: the same
/// advice as from all the events at once.
@Suite("Quiet hours from the store")
struct QuietHoursFromStoreTests {
    @Test func adviceReadRowByRowEqualsAdviceFromAllEvents() throws {
        let folder = makeTemporaryFolder("quiet")
        let store = try EventStore(path: folder + "/kiosk.sqlite", owner: true)
        defer { store.close() }
        let zone = SiteTimeZone(TimeZone(identifier: "Asia/Shanghai")!)
        var generator = SystemRandomNumberGenerator()
        var all: [KioskEvent] = []
        let first = CivilDate.days(of: "2026-11-01")!
        for dayIndex in 0..<35 {  // five weeks: the advice looks at the day and the 28 before it
            let day = CivilDate.string(days: first + Int64(dayIndex))
            let midnight = Date(timeIntervalSince1970: 1_793_491_200 + Double(dayIndex) * 86_400 - 8 * 3600)  // Shanghai
            var batch: [KioskEvent] = []
            for _ in 0..<Int.random(in: 5...30, using: &generator) {
                let at = midnight.addingTimeInterval(Double(Int.random(in: 8 * 3600..<18 * 3600, using: &generator)))
                batch.append(KioskEvent(Bool.random(using: &generator) ? .ticketIssued : .ticketCalled, at: at, day: day))
            }
            batch.sort { $0.time < $1.time }
            _ = try store.append(batch, kiosk: "k")
            all += batch
        }
        let day = all.last!.day
        let from = CivilDate.string(days: CivilDate.days(of: day)! - 28)
        let lastFourWeeks = all.filter { $0.day >= from && $0.day <= day }
        let expected = QuietHours.advice(events: lastFourWeeks, timeZone: zone)
        let advice = KioskService.quietHours(store: store, day: day, timeZone: zone)
        #expect(expected != nil)
        #expect(advice?.busy == expected?.busy)
        #expect(advice?.quiet == expected?.quiet)
    }
}
