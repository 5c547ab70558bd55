#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The time a site's case deadlines count (`[calendar]` in kiosk.conf): every hour of the week
/// (`hours = 24x7`, the default: the service centre is manned around the clock), or working
/// hours on working days (`hours = 09:00-18:00`, `days = mon-fri`) without public holidays
/// (`holidays`) and with make-up working days (`workdays`, 调休) — for sites whose rules count
/// working days, as the 好差评 rules do.
///
/// Pure arithmetic on instants: the caller gives the site's time zone, in which days, weekdays
/// and hours of day are read. Across a daylight-saving change a working window is whatever real
/// time passes between its local start and end, so working time is always real elapsed time.
public struct WorkingCalendar: Equatable, Sendable {
    /// Counted hours of a working day, as minutes after local midnight (start < end, same day).
    public struct Hours: Equatable, Sendable {
        public var start: Int
        public var end: Int
        public init(start: Int, end: Int) { self.start = start; self.end = end }
        /// Nominal length of one working day, in seconds.
        public var seconds: Int { (end - start) * 60 }
    }

    /// nil: around the clock (24x7), wall time counts; otherwise only these hours of working days.
    public var hours: Hours?
    /// Working weekdays, 1 = Sunday … 7 = Saturday (as `Calendar` numbers them).
    public var weekdays: Set<Int>
    /// Public holidays ("YYYY-MM-DD", local dates): not working days, whatever their weekday.
    public var holidays: Set<String>
    /// Make-up working days ("YYYY-MM-DD"): working days, whatever their weekday.
    public var workdays: Set<String>

    public init(hours: Hours? = nil, weekdays: Set<Int> = WorkingCalendar.mondayToFriday,
                holidays: Set<String> = [], workdays: Set<String> = []) {
        self.hours = hours; self.weekdays = weekdays; self.holidays = holidays; self.workdays = workdays
    }

    /// Every hour counts.
    public static let always = WorkingCalendar()
    public static let mondayToFriday: Set<Int> = [2, 3, 4, 5, 6]

    /// Whether deadlines count wall time (24x7).
    public var isAroundTheClock: Bool { hours == nil }

    /// Seconds in one counted day: 24 h around the clock, the working hours otherwise
    /// (`2d` on a 09:00-18:00 calendar is two working days, 18 working hours).
    public var dayLength: Int { hours?.seconds ?? 86_400 }

    /// Whether the local date is a working day: a make-up day, or a working weekday that is not a
    /// holiday. Around the clock every day is.
    public func isWorkingDay(_ date: String, weekday: Int) -> Bool {
        guard hours != nil else { return true }
        if workdays.contains(date) { return true }
        return weekdays.contains(weekday) && !holidays.contains(date)
    }

    /// The instant at which `seconds` of counted time have passed since `start`. Outside working
    /// hours the count starts at the next working moment; a deadline that uses up a day's hours
    /// exactly falls at that day's closing time, not the next morning.
    public func adding(_ seconds: Int, to start: Date, timeZone: SiteTimeZone) -> Date {
        guard let hours, seconds > 0 else { return start.addingTimeInterval(TimeInterval(max(seconds, 0))) }
        var remaining = TimeInterval(seconds)
        var cursor = start
        var day = LocalDay(containing: start, timeZone: timeZone)
        // A calendar with no working day in ten years (impossible through the parser) falls back
        // to wall time rather than looping for ever.
        for _ in 0..<3_660 {
            if isWorkingDay(day.date, weekday: day.weekday) {
                let open = max(cursor, day.at(minutes: hours.start)), close = day.at(minutes: hours.end)
                if open < close {
                    let available = close.timeIntervalSince(open)
                    if remaining <= available { return open.addingTimeInterval(remaining) }
                    remaining -= available
                }
            }
            day = day.next()
            cursor = max(cursor, day.midnight)
        }
        return start.addingTimeInterval(TimeInterval(seconds))
    }

    /// The instant at which `share` (0…1) of the counted time from `start` to `deadline` has
    /// passed: where an escalation threshold such as "75 % of the time to the deadline" falls, so
    /// that on a working calendar it falls in working time, not over a weekend.
    public func instant(atShare share: Double, from start: Date, to deadline: Date, timeZone: SiteTimeZone) -> Date {
        let counted = countedSeconds(from: start, to: deadline, timeZone: timeZone) * min(max(share, 0), 1)
        return min(adding(Int(counted.rounded()), to: start, timeZone: timeZone), max(start, deadline))
    }

    /// Counted time between two instants, in seconds (0 when `end` is not after `start`).
    public func countedSeconds(from start: Date, to end: Date, timeZone: SiteTimeZone) -> TimeInterval {
        guard end > start else { return 0 }
        guard let hours else { return end.timeIntervalSince(start) }
        var total: TimeInterval = 0
        var day = LocalDay(containing: start, timeZone: timeZone)
        while day.midnight < end {
            if isWorkingDay(day.date, weekday: day.weekday) {
                let open = max(start, day.at(minutes: hours.start)), close = min(end, day.at(minutes: hours.end))
                if open < close { total += close.timeIntervalSince(open) }
            }
            day = day.next()
        }
        return total
    }
}

extension WorkingCalendar {
    // The same with Foundation's time zones (the centre, tests).
    public func adding(_ seconds: Int, to start: Date, timeZone: TimeZone) -> Date {
        adding(seconds, to: start, timeZone: SiteTimeZone(timeZone))
    }
    public func instant(atShare share: Double, from start: Date, to deadline: Date, timeZone: TimeZone) -> Date {
        instant(atShare: share, from: start, to: deadline, timeZone: SiteTimeZone(timeZone))
    }
    public func countedSeconds(from start: Date, to end: Date, timeZone: TimeZone) -> TimeInterval {
        countedSeconds(from: start, to: end, timeZone: SiteTimeZone(timeZone))
    }
}

/// One local calendar day in a time zone: its date, weekday and instants within it.
struct LocalDay {
    let zone: SiteTimeZone
    /// Days since 1970-01-01, local.
    let number: Int64
    let year: Int, month: Int, day: Int
    let weekday: Int
    let midnight: Date

    init(containing instant: Date, timeZone: SiteTimeZone) {
        self.init(zone: timeZone, number: CivilDate.floorDiv(timeZone.localSeconds(instant), 86_400))
    }

    private init(zone: SiteTimeZone, number: Int64) {
        self.zone = zone
        self.number = number
        (year, month, day) = CivilDate.fromDays(number)
        weekday = CivilDate.weekday(days: number)
        midnight = zone.instant(local: number * 86_400)
    }

    /// "YYYY-MM-DD".
    var date: String { CivilDate.string(days: number) }

    /// The local time `minutes` after midnight on this day (a time skipped by a daylight-saving
    /// change is read with the offset before the change, as `Calendar` did).
    func at(minutes: Int) -> Date {
        if minutes >= 24 * 60 { return next().midnight }
        return zone.instant(local: number * 86_400 + Int64(minutes * 60))
    }

    func next() -> LocalDay { LocalDay(zone: zone, number: number + 1) }
}
