import Foundation

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
    public func adding(_ seconds: Int, to start: Date, timeZone: TimeZone) -> Date {
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
    public func instant(atShare share: Double, from start: Date, to deadline: Date, timeZone: TimeZone) -> Date {
        let counted = countedSeconds(from: start, to: deadline, timeZone: timeZone) * min(max(share, 0), 1)
        return min(adding(Int(counted.rounded()), to: start, timeZone: timeZone), max(start, deadline))
    }

    /// Counted time between two instants, in seconds (0 when `end` is not after `start`).
    public func countedSeconds(from start: Date, to end: Date, timeZone: TimeZone) -> TimeInterval {
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

/// One local calendar day in a time zone: its date, weekday and instants within it.
struct LocalDay {
    let calendar: Calendar
    let year: Int, month: Int, day: Int
    let weekday: Int
    let midnight: Date

    init(containing instant: Date, timeZone: TimeZone) {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = timeZone
        self.init(calendar: c, midnight: c.startOfDay(for: instant))
    }

    private init(calendar: Calendar, midnight: Date) {
        self.calendar = calendar
        self.midnight = midnight
        let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: midnight)
        year = parts.year!; month = parts.month!; day = parts.day!; weekday = parts.weekday!
    }

    /// "YYYY-MM-DD".
    var date: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// The local time `minutes` after midnight on this day (a time skipped by a daylight-saving
    /// change is read as the instant the clock jumps to).
    func at(minutes: Int) -> Date {
        if minutes >= 24 * 60 { return next().midnight }
        let parts = DateComponents(year: year, month: month, day: day, hour: minutes / 60, minute: minutes % 60)
        return calendar.date(from: parts) ?? midnight.addingTimeInterval(TimeInterval(minutes * 60))
    }

    func next() -> LocalDay {
        // Noon of the next day is never skipped by a daylight-saving change; its start of day is.
        let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
        let tomorrow = noon.addingTimeInterval(86_400)
        return LocalDay(calendar: calendar, midnight: calendar.startOfDay(for: tomorrow))
    }
}
