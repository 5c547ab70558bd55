import Foundation
import Testing
@testable import KioskCore

/// The site's zone as read from the tz database (`SiteTimeZone`, what kioskd uses without ICU)
/// against Foundation's ICU time zones, which this test process links: the same offsets, the
/// same local dates, across daylight-saving changes and past the files' last transition (2037,
/// where the POSIX rule takes over).
struct SiteTimeZoneTests {
    static let zones = ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Sydney",
                        "Asia/Kolkata", "America/Santiago", "Europe/London", "UTC"]

    @Test(arguments: zones) func offsetsMatchFoundationFrom1990To2045(_ name: String) throws {
        let site = try #require(SiteTimeZone(identifier: name))
        let icu = try #require(TimeZone(identifier: name))
        var t = Date(timeIntervalSince1970: 631_152_000)  // 1990-01-01
        let end = Date(timeIntervalSince1970: 2_366_841_600)  // 2045-01-01
        while t < end {
            #expect(site.secondsFromGMT(for: t) == icu.secondsFromGMT(for: t), "\(name) at \(t)")
            t += 86_400 * 3 + 3_607  // every few days, at a drifting time of day
        }
    }

    @Test(arguments: zones) func localDatesAndClocksMatchCalendar(_ name: String) throws {
        let site = LocalCalendar(zone: try #require(SiteTimeZone(identifier: name)), dayStartHour: 4)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: name))
        var t = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        for _ in 0..<800 {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: t)
            #expect(site.dateTime(t) == String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!))
            #expect(site.clock(t) == String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!))
            #expect(site.weekday(of: t) == c.weekday!)
            let b = calendar.dateComponents([.year, .month, .day], from: t.addingTimeInterval(-4 * 3600))
            #expect(site.businessDay(of: t) == String(format: "%04d-%02d-%02d", b.year!, b.month!, b.day!))
            t += 11 * 3600 + 7 * 60 + 13
        }
    }

    @Test func unknownNamesAndPathsAreRefused() {
        #expect(SiteTimeZone(identifier: "Asia/Shangai") == nil)
        #expect(SiteTimeZone(identifier: "../../etc/passwd") == nil)
        #expect(SiteTimeZone(identifier: "/etc/localtime") == nil)
        #expect(SiteTimeZone(identifier: "") == nil)
    }

    @Test func posixRulesAfterTheLastTransition() throws {
        let newYork = try #require(PosixRule("EST5EDT,M3.2.0,M11.1.0"))
        // 2050-07-01 12:00 UTC: daylight time; 2050-01-15: standard time.
        #expect(newYork.offset(at: 2_540_376_000) == -4 * 3600)
        #expect(newYork.offset(at: 2_525_860_800) == -5 * 3600)
        let sydney = try #require(PosixRule("AEST-10AEDT,M10.1.0,M4.1.0/3"))
        #expect(sydney.offset(at: 2_540_376_000) == 10 * 3600)  // July: winter
        #expect(sydney.offset(at: 2_525_860_800) == 11 * 3600)  // January: summer
        #expect(PosixRule("<+0530>-5:30")?.offset(at: 0) == 19_800)
    }
}

struct ErrorTextTests {
    @Test func aFileErrorNamesThePathAndTheSystemsReason() throws {
        let missing = "/nonexistent-\(getpid())/kiosk.sqlite"
        do {
            try Data([1]).write(to: URL(fileURLWithPath: missing))
            Issue.record("writing into a missing folder succeeded")
        } catch {
            #expect(errorText(error) == "\(missing): No such file or directory")
        }
    }

    @Test func otherErrorsDescribeThemselves() {
        struct Odd: Error, CustomStringConvertible { var description: String { "odd" } }
        #expect(errorText(Odd()) == "odd")
    }
}
