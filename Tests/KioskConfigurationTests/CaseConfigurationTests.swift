import Foundation
import Testing
@testable import KioskCore

@Suite("Case keys in kiosk.conf: [calendar], resolve-*, root-causes")
struct CaseConfigurationTests {
    @Test func defaultsAreAroundTheClockThirtyMinutesAndSixHours() throws {
        let config = try #require(parsed(""))
        #expect(config.workingCalendar == .always)
        #expect(config.services.allSatisfy { $0.resolveOrdinary == .minutes(30) && $0.resolveSerious == .hours(6) })
        #expect(config.rootCauses.count == 6)
        #expect(parsed("[calendar]\nhours = 24x7\n")?.workingCalendar == .always)
    }

    @Test func aWorkingCalendar() throws {
        let config = try #require(parsed("""
            [calendar]
            hours = 08:30-17:30
            days = mon-fri, sat
            holidays = 2026-10-01..2026-10-03, 2027-01-01
            workdays = 2026-09-27, 2026-10-10
            """))
        let c = config.workingCalendar
        #expect(c.hours == WorkingCalendar.Hours(start: 8 * 60 + 30, end: 17 * 60 + 30))
        #expect(c.weekdays == [2, 3, 4, 5, 6, 7])
        #expect(c.holidays == ["2026-10-01", "2026-10-02", "2026-10-03", "2027-01-01"])
        #expect(c.workdays == ["2026-09-27", "2026-10-10"])
        // Days default to Monday to Friday; a range may wrap round the week; a range may cross a year.
        #expect(parsed("[calendar]\nhours = 09:00-18:00\n")?.workingCalendar.weekdays == WorkingCalendar.mondayToFriday)
        #expect(parsed("[calendar]\nhours = 09:00-18:00\ndays = fri-mon\n")?.workingCalendar.weekdays == [6, 7, 1, 2])
        #expect(parsed("[calendar]\nhours = 09:00-18:00\nholidays = 2026-12-31..2027-01-02\n")?.workingCalendar.holidays
                == ["2026-12-31", "2027-01-01", "2027-01-02"])
        #expect(parsed("[calendar]\nhours = 00:00-24:00\ndays = mon-sun\n")?.workingCalendar.hours?.seconds == 86_400)
    }

    @Test func resolveDeadlinesAndRootCauses() throws {
        let config = try #require(parsed("""
            [kiosk]
            root-causes = cause.staff, cause.pipes
            [service repairs]
            resolve-ordinary = 2d
            resolve-serious = 90m
            [counter 1]
            services = repairs
            """))
        #expect(config.rootCauses == ["cause.staff", "cause.pipes"])
        let repairs = try #require(config.service("repairs"))
        #expect(repairs.resolveOrdinary == .days(2) && repairs.resolveSerious == .minutes(90))
        #expect(repairs.resolveWithin(.ordinary) == .days(2) && repairs.resolveWithin(.serious) == .minutes(90))
    }

    @Test func badCalendarValuesSayWhatToWrite() {
        #expect(diagnostics("""
            [calendar]
            hours = 9-18
            days = mon-fry
            holidays = 2026-02-30, 2026-10-07..2026-10-01
            workdays = 10/10
            """) == [
            "kiosk.conf:2: hours = 9-18 in [calendar] is not allowed; write hours = 24x7 (deadlines count every hour) or working hours as HH:MM-HH:MM, e.g. hours = 09:00-18:00",
            "kiosk.conf:3: 'mon-fry' in days of [calendar] is not a weekday or a range of weekdays; write weekday names (mon, tue, wed, thu, fri, sat, sun) and ranges, e.g. days = mon-fri or days = mon-fri, sat (did you mean 'fri'?)",
            "kiosk.conf:4: '2026-02-30' in holidays of [calendar] is not a date or a range of dates; write real dates as YYYY-MM-DD and ranges as FIRST..LAST, e.g. holidays = 2026-10-01..2026-10-07, 2027-01-01",
            "kiosk.conf:5: '10/10' in workdays of [calendar] is not a date or a range of dates; write real dates as YYYY-MM-DD and ranges as FIRST..LAST, e.g. workdays = 2026-09-27, 2026-10-10",
        ])
        #expect(diagnostics("[calendar]\nhours = 18:00-09:00\n") == [
            "kiosk.conf:2: hours = 18:00-09:00 in [calendar] ends before it starts; working hours must lie within one day (e.g. 09:00-18:00); a site open through the night counts hours = 24x7",
        ])
        #expect(diagnostics("[calendar]\nhours = 09:00-18:00\nholidays = 2026-10-07..2026-10-01\n") == [
            "kiosk.conf:3: '2026-10-07..2026-10-01' in holidays of [calendar] ends before it starts; write the earlier date first, e.g. 2026-10-01..2026-10-07",
        ])
        #expect(diagnostics("[calendar]\nhours = 09:00-18:00\nholidays = 2026-10-01..2026-10-07\nworkdays = 2026-10-03\n") == [
            "kiosk.conf:4: 2026-10-03 is both a make-up working day (workdays) and a holiday (holidays, line 3); remove it from one of them",
        ])
        #expect(diagnostics("[calendar]\nholidays = 2027-01-01\n") == [
            "kiosk.conf:2: holidays in [calendar] has no effect with hours = 24x7 (deadlines count every hour of every day); set working hours such as hours = 09:00-18:00, or remove holidays",
        ])
        #expect(diagnostics("[calendar]\nhours = 09:00-18:00\nholidays = 2026-01-01..2027-12-31\n") == [
            "kiosk.conf:3: '2026-01-01..2027-12-31' in holidays of [calendar] spans 730 days; a range may span at most 366 days, list each year's dates separately",
        ])
        #expect(diagnostics("[calendar]\nhours = 09:00-18:00\nopening = 09:00\n") == [
            "kiosk.conf:3: unknown key 'opening' in [calendar]; valid keys are hours, days, holidays, workdays",
        ])
        #expect(diagnostics("[calendar main]\n") == [
            "kiosk.conf:1: [calendar] takes no name, but has 'main'; write just [calendar]",
        ])
        #expect(diagnostics("[kiosk]\nholidays = 2027-01-01\n") == [
            "kiosk.conf:2: unknown key 'holidays' in [kiosk]; 'holidays' belongs in a [calendar] section, move it there",
        ])
    }

    @Test func badDeadlinesAndRootCausesSayWhatToWrite() {
        #expect(diagnostics("""
            [service repairs]
            resolve-ordinary = 30
            resolve-serious = 91d
            [service fees]
            resolve-ordinary = 0m
            resolve-serious = half a day
            [counter 1]
            services = repairs, fees
            """) == [
            "kiosk.conf:2: resolve-ordinary = 30 in [service repairs] is not a duration; write a whole number with m (minutes), h (hours) or d (days), e.g. resolve-ordinary = 30m",
            "kiosk.conf:3: resolve-serious = 91d in [service repairs] is too long; use at most 90d (2160h)",
            "kiosk.conf:5: resolve-ordinary = 0m in [service fees] is too short; use at least 1m",
            "kiosk.conf:6: resolve-serious = half a day in [service fees] is not a duration; write a whole number with m (minutes), h (hours) or d (days), e.g. resolve-serious = 6h",
        ])
        let ten = (1...10).map { "cause.c\($0)" }.joined(separator: ", ")
        #expect(diagnostics("[kiosk]\nroot-causes = \(ten)\n") == [
            "kiosk.conf:2: root-causes in [kiosk] lists 10 causes; a counter picks one with keys 1–9, so list at most 9",
        ])
        #expect(diagnostics("[kiosk]\nroot-causes = cause.staff, 人员\n") == [
            "kiosk.conf:2: '人员' in root-causes is not a catalog key; use keys like cause.staff, separated by commas",
        ])
        #expect(diagnostics("[kiosk]\nroot-causes = cause.staff,,cause.other\n") == [
            "kiosk.conf:2: root-causes in [kiosk] has an empty item; separate items with single commas, e.g. root-causes = cause.staff, cause.process",
        ])
        #expect(diagnostics("[service repairs]\nresolve-ordinery = 30m\n[counter 1]\nservices = repairs\n") == [
            "kiosk.conf:2: unknown key 'resolve-ordinery' in [service repairs] (did you mean 'resolve-ordinary'?)",
        ])
    }

    @Test func theShippedFileDocumentsEveryCaseKey() throws {
        let text = try shipped("kiosk.conf")
        for key in ConfigurationParser.calendarKeys + ["resolve-ordinary", "resolve-serious", "root-causes", "[calendar]"] {
            #expect(text.contains(key), "Kiosk/kiosk.conf does not mention \(key)")
        }
    }

}
