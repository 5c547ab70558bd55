import Foundation

/// Local calendar arithmetic in the site's time zone. A business day starts at a configured hour
/// (04:00 by default) so that late-evening tickets belong to the day they were taken in.
public struct LocalCalendar: Sendable {
    public let timeZone: TimeZone
    public let dayStartHour: Int
    private let calendar: Calendar

    public init(timeZone: TimeZone, dayStartHour: Int) {
        self.timeZone = timeZone
        self.dayStartHour = dayStartHour
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        calendar = c
    }

    public init(_ configuration: Configuration) {
        self.init(timeZone: configuration.timeZone, dayStartHour: configuration.businessDayStartHour)
    }

    /// The business day `date` belongs to, as "YYYY-MM-DD".
    public func businessDay(of date: Date) -> String {
        let shifted = date.addingTimeInterval(TimeInterval(-dayStartHour * 3600))
        let c = calendar.dateComponents([.year, .month, .day], from: shifted)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    public func hour(of date: Date) -> Int { calendar.component(.hour, from: date) }
    public func minute(of date: Date) -> Int { calendar.component(.minute, from: date) }
    /// 1 = Sunday … 7 = Saturday.
    public func weekday(of date: Date) -> Int { calendar.component(.weekday, from: date) }
    public func monthDay(of date: Date) -> (month: Int, day: Int) {
        let c = calendar.dateComponents([.month, .day], from: date)
        return (c.month!, c.day!)
    }

    /// "2026-11-24 15:30".
    public func dateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    /// "11-26 15:30", for deadlines.
    public func shortDateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%02d-%02d %02d:%02d", c.month!, c.day!, c.hour!, c.minute!)
    }

    /// "15:30:05".
    public func clock(_ date: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
    }
}

extension Date {
    /// The core works in whole seconds so that events round-trip through ISO 8601 exactly.
    public var wholeSeconds: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}
