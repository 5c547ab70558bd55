import Foundation
import Testing
@testable import KioskCore

/// Local wall-clock time in a zone.
private func local(_ date: String, _ h: Int, _ m: Int = 0, _ zone: String = "Asia/Shanghai") -> Date {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = TimeZone(identifier: zone)!
    let p = date.split(separator: "-").map { Int($0)! }
    return cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: h, minute: m))!
}

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!
/// 09:00-18:00, Monday to Friday, Golden Week off, Saturday 10-10 a make-up day.
private let office = WorkingCalendar(
    hours: .init(start: 9 * 60, end: 18 * 60), weekdays: WorkingCalendar.mondayToFriday,
    holidays: Set((1...7).map { String(format: "2026-10-%02d", $0) }), workdays: ["2026-10-10"])

@Suite("Working calendar: deadlines counted in working time")
struct WorkingCalendarTests {
    @Test func aroundTheClockCountsWallTime() {
        let start = local("2026-11-24", 23, 40)
        #expect(WorkingCalendar.always.adding(30 * 60, to: start, timeZone: shanghai) == local("2026-11-25", 0, 10))
        #expect(WorkingCalendar.always.adding(48 * 3600, to: start, timeZone: shanghai) == local("2026-11-26", 23, 40))
        #expect(WorkingCalendar.always.countedSeconds(from: start, to: local("2026-11-25", 1, 40), timeZone: shanghai) == 7200)
        #expect(WorkingCalendar.always.dayLength == 86_400)
    }

    @Test func workingHoursWithinADayAndAcrossTheNight() {
        // Tuesday 2026-11-24.
        #expect(office.adding(30 * 60, to: local("2026-11-24", 10, 0), timeZone: shanghai) == local("2026-11-24", 10, 30))
        // Using up the day's hours exactly ends at closing time, not the next morning.
        #expect(office.adding(30 * 60, to: local("2026-11-24", 17, 30), timeZone: shanghai) == local("2026-11-24", 18, 0))
        // 30 minutes today, 30 tomorrow morning.
        #expect(office.adding(3600, to: local("2026-11-24", 17, 30), timeZone: shanghai) == local("2026-11-25", 9, 30))
        // Before opening and after closing the count starts at the next opening.
        #expect(office.adding(30 * 60, to: local("2026-11-24", 7, 0), timeZone: shanghai) == local("2026-11-24", 9, 30))
        #expect(office.adding(30 * 60, to: local("2026-11-24", 21, 0), timeZone: shanghai) == local("2026-11-25", 9, 30))
        #expect(office.countedSeconds(from: local("2026-11-24", 17, 30), to: local("2026-11-25", 9, 30), timeZone: shanghai) == 3600)
    }

    @Test func weekendsAreSkipped() {
        // Friday 17:00 + 2 h: one hour on Friday, one on Monday.
        #expect(office.adding(2 * 3600, to: local("2026-11-27", 17, 0), timeZone: shanghai) == local("2026-11-30", 10, 0))
        // Opened on Saturday: counting starts Monday 09:00.
        #expect(office.adding(30 * 60, to: local("2026-11-28", 10, 0), timeZone: shanghai) == local("2026-11-30", 9, 30))
        // 48 working hours from Monday 09:00: five days of 9 h (45 h) and 3 h of the next Monday.
        #expect(office.adding(48 * 3600, to: local("2026-11-23", 9, 0), timeZone: shanghai) == local("2026-11-30", 12, 0))
    }

    @Test func aDayIsOneWorkingDay() {
        #expect(office.dayLength == 9 * 3600)
        let twoDays = DeadlineDuration.days(2).seconds(on: office)
        // Tuesday 15:00 + 2 working days = Thursday 15:00.
        #expect(office.adding(twoDays, to: local("2026-11-24", 15, 0), timeZone: shanghai) == local("2026-11-26", 15, 0))
        #expect(DeadlineDuration.days(2).seconds(on: .always) == 2 * 86_400)
    }

    @Test func holidaysAndMakeUpDays() {
        // Wednesday 09-30 17:00 + 2 h: Golden Week (10-01 … 10-07) is skipped → Thursday 10-08 10:00.
        #expect(office.adding(2 * 3600, to: local("2026-09-30", 17, 0), timeZone: shanghai) == local("2026-10-08", 10, 0))
        // Friday 10-09 17:00 + 2 h: Saturday 10-10 is a make-up working day.
        #expect(office.adding(2 * 3600, to: local("2026-10-09", 17, 0), timeZone: shanghai) == local("2026-10-10", 10, 0))
        #expect(office.isWorkingDay("2026-10-10", weekday: 7))
        #expect(!office.isWorkingDay("2026-10-05", weekday: 2))
        #expect(office.countedSeconds(from: local("2026-09-30", 9, 0), to: local("2026-10-09", 9, 0), timeZone: shanghai) == 2 * 9 * 3600)
    }

    @Test func aZoneWithDaylightSavingCountsRealTime() {
        let newYork = TimeZone(identifier: "America/New_York")!
        // Clocks go forward on Sunday 2026-03-08: that day has 23 hours.
        let start = local("2026-03-07", 12, 0, "America/New_York")
        let day = WorkingCalendar.always.adding(24 * 3600, to: start, timeZone: newYork)
        #expect(day == start.addingTimeInterval(86_400))
        #expect(day == local("2026-03-08", 13, 0, "America/New_York"))
        // Working hours all day, every day: working time is real elapsed time, 23 h on the short day.
        let allDay = WorkingCalendar(hours: .init(start: 0, end: 24 * 60), weekdays: Set(1...7))
        let midnight = local("2026-03-07", 0, 0, "America/New_York")
        #expect(allDay.adding(47 * 3600, to: midnight, timeZone: newYork) == local("2026-03-09", 0, 0, "America/New_York"))
        #expect(allDay.countedSeconds(from: midnight, to: local("2026-03-09", 0, 0, "America/New_York"), timeZone: newYork) == 47 * 3600)

        // Office hours stay 09:00-18:00 local across Europe's change (Sunday 2026-03-29).
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let friday = local("2026-03-27", 17, 0, "Europe/Berlin")
        let due = office.adding(2 * 3600, to: friday, timeZone: berlin)
        #expect(due == local("2026-03-30", 10, 0, "Europe/Berlin"))
        #expect(due.timeIntervalSince(friday) == (2 * 24 + 16) * 3600, "65 hours on the clock, one hour less in real time: CET → CEST")
    }

    @Test func aShareOfTheTimeFallsInCountedTime() {
        // Friday 17:00 to Monday 10:00 is 2 working hours: 75 % of them is Monday 09:30.
        let friday = local("2026-11-27", 17, 0), monday = local("2026-11-30", 10, 0)
        #expect(office.instant(atShare: 0.75, from: friday, to: monday, timeZone: shanghai) == local("2026-11-30", 9, 30))
        #expect(office.instant(atShare: 1, from: friday, to: monday, timeZone: shanghai) == monday)
        // Around the clock it is plain wall time: 6 h × 0.75 = 4 h 30 min.
        let opened = local("2026-11-24", 10, 0)
        #expect(WorkingCalendar.always.instant(atShare: 0.75, from: opened, to: opened.addingTimeInterval(6 * 3600), timeZone: shanghai)
                == local("2026-11-24", 14, 30))
    }

    @Test func durationsAsWritten() {
        #expect(DeadlineDuration.parse("30m") == .minutes(30))
        #expect(DeadlineDuration.parse("6h") == .hours(6))
        #expect(DeadlineDuration.parse("2d") == .days(2))
        #expect(DeadlineDuration.parse("2D") == .days(2))
        for bad in ["30", "m", "1.5h", "-2h", "2w", "h6", ""] { #expect(DeadlineDuration.parse(bad) == nil, "\(bad)") }
        #expect(DeadlineDuration.hours(6).description == "6h")
    }
}
