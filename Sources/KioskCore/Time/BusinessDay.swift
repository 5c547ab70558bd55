#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// Local calendar arithmetic in the site's time zone. A business day starts at a configured hour
/// (04:00 by default) so that late-evening tickets belong to the day they were taken in.
/// Gregorian dates from the zone's offset (`SiteTimeZone`), not Foundation's `Calendar`, whose
/// named time zones need the internationalisation layer the daemon does not link.
public struct LocalCalendar: Sendable {
    public let zone: SiteTimeZone
    public let dayStartHour: Int
    /// The zone as Foundation's type, for code that formats with Foundation (the centre).
    public var timeZone: TimeZone { zone.foundation }

    public init(zone: SiteTimeZone, dayStartHour: Int) {
        self.zone = zone
        self.dayStartHour = dayStartHour
    }

    public init(timeZone: TimeZone, dayStartHour: Int) {
        self.init(zone: SiteTimeZone(timeZone), dayStartHour: dayStartHour)
    }

    public init(_ configuration: Configuration) {
        self.init(zone: configuration.zone, dayStartHour: configuration.businessDayStartHour)
    }

    /// The local day number (days since 1970-01-01) and seconds into that day of `date`.
    private func local(_ date: Date) -> (days: Int64, seconds: Int) {
        let l = zone.localSeconds(date)
        let days = CivilDate.floorDiv(l, 86_400)
        return (days, Int(l - days * 86_400))
    }

    private func parts(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let (days, seconds) = local(date)
        let d = CivilDate.fromDays(days)
        return (d.year, d.month, d.day, seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// The business day `date` belongs to, as "YYYY-MM-DD".
    public func businessDay(of date: Date) -> String {
        CivilDate.string(days: local(date.addingTimeInterval(TimeInterval(-dayStartHour * 3600))).days)
    }

    public func hour(of date: Date) -> Int { local(date).seconds / 3600 }
    public func minute(of date: Date) -> Int { local(date).seconds / 60 % 60 }
    /// 1 = Sunday … 7 = Saturday.
    public func weekday(of date: Date) -> Int { CivilDate.weekday(days: local(date).days) }
    public func monthDay(of date: Date) -> (month: Int, day: Int) {
        let c = parts(date)
        return (c.month, c.day)
    }

    /// "2026-11-24 15:30".
    public func dateTime(_ date: Date) -> String {
        let c = parts(date)
        return String(cFormat: "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute)
    }

    /// "11-26 15:30", for deadlines.
    public func shortDateTime(_ date: Date) -> String {
        let c = parts(date)
        return String(cFormat: "%02d-%02d %02d:%02d", c.month, c.day, c.hour, c.minute)
    }

    /// "15:30:05".
    public func clock(_ date: Date) -> String {
        let c = parts(date)
        return String(cFormat: "%02d:%02d:%02d", c.hour, c.minute, c.second)
    }
}

extension Date {
    /// The core works in whole seconds so that events round-trip through ISO 8601 exactly.
    public var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
