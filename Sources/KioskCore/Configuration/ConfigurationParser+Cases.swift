#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// kiosk.conf keys of follow-up cases: the site's `[calendar]` (the time deadlines count), each
/// service's `resolve-ordinary` / `resolve-serious`, and `root-causes` in `[kiosk]`. Errors name
/// the line and say how to write the value, like the rest of the parser.
extension ConfigurationParser {
    static let calendarKeys = ["hours", "days", "holidays", "workdays"]
    /// Longest resolution deadline: a quarter of a year.
    static let longestResolveDays = 90
    static let maxRootCauses = 9
    /// Most days one `holidays` range may span.
    static let longestHolidayRange = 366
    static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// `[calendar]` as written: values and their lines, checked together once the file is read.
    struct CalendarDraft {
        /// Line of the `[calendar]` header; 0 when the file has none.
        var line = 0
        var hours: WorkingCalendar.Hours?
        /// `hours` was written but could not be read (already an error; nothing more to say).
        var hoursRejected = false
        var weekdays: Set<Int>?
        var holidays: [String: Int] = [:]
        var workdays: [String: Int] = [:]
        var lines: [String: Int] = [:]
    }

    /// "2026-10-01" if `text` is a real date written YYYY-MM-DD.
    static func calendarDate(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy(isASCIIDigits), let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1 else { return nil }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days ? text : nil
    }

    /// Minutes after midnight of "HH:MM" (00:00–24:00).
    static func timeOfDay(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, parts.allSatisfy(isASCIIDigits),
              let h = Int(parts[0]), let m = Int(parts[1]), m < 60, h < 24 || (h == 24 && m == 0) else { return nil }
        return h * 60 + m
    }
}

extension ConfigurationParser.Parser {
    mutating func calendarEntry(key: String, value: String, line: Int) {
        calendar.lines[key] = line
        switch key {
        case "hours": calendarHours(value, line: line)
        case "days": calendarWeekdays(value, line: line)
        case "holidays":
            if let dates = calendarDates(value, key: key, line: line) { for d in dates { calendar.holidays[d] = line } }
        case "workdays":
            if let dates = calendarDates(value, key: key, line: line) { for d in dates { calendar.workdays[d] = line } }
        default: break
        }
    }

    private mutating func calendarHours(_ value: String, line: Int) {
        if value.lowercased() == "24x7" { return }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false).map { ConfigurationLexer.trim($0) }
        guard parts.count == 2, let start = ConfigurationParser.timeOfDay(parts[0]), let end = ConfigurationParser.timeOfDay(parts[1]) else {
            calendar.hoursRejected = true
            error(line, "hours = \(Excerpt.of(value)) in [calendar] is not allowed; write hours = 24x7 (deadlines count every hour) or working hours as HH:MM-HH:MM, e.g. hours = 09:00-18:00")
            return
        }
        guard start < end else {
            calendar.hoursRejected = true
            error(line, "hours = \(Excerpt.of(value)) in [calendar] ends before it starts; working hours must lie within one day (e.g. 09:00-18:00); a site open through the night counts hours = 24x7")
            return
        }
        calendar.hours = WorkingCalendar.Hours(start: start, end: end)
    }

    private mutating func calendarWeekdays(_ value: String, line: Int) {
        let names = ConfigurationParser.weekdayNames
        let example = "write weekday names (mon, tue, wed, thu, fri, sat, sun) and ranges, e.g. days = mon-fri or days = mon-fri, sat"
        guard let items = list(value, key: "days", line: line, example: "mon-fri, sat") else { return }
        var days: Set<Int> = []
        for item in items {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false).map { ConfigurationLexer.trim($0).lowercased() }
            let numbers = ends.map { names.firstIndex(of: $0) }
            guard (1...2).contains(ends.count), numbers.allSatisfy({ $0 != nil }) else {
                var message = "'\(Excerpt.of(item))' in days of [calendar] is not a weekday or a range of weekdays; \(example)"
                if let bad = ends.first(where: { names.firstIndex(of: $0) == nil }),
                   let s = ConfigurationLexer.suggestion(for: bad, among: names) {
                    message += " (did you mean '\(s)'?)"
                }
                error(line, message)
                return
            }
            // A range runs forward through the week and may wrap: fri-mon is fri, sat, sun, mon.
            var d = numbers[0]!
            let last = numbers.last!!
            days.insert(d + 1)
            while d != last { d = (d + 1) % 7; days.insert(d + 1) }
        }
        calendar.weekdays = days
    }

    /// Dates and ranges ("2026-10-01..2026-10-07, 2027-01-01"), expanded to their days.
    private mutating func calendarDates(_ value: String, key: String, line: Int) -> [String]? {
        let example = key == "holidays" ? "2026-10-01..2026-10-07, 2027-01-01" : "2026-09-27, 2026-10-10"
        guard let items = list(value, key: key, line: line, example: example) else { return nil }
        var dates: [String] = []
        for item in items {
            let ends = item.components(separatedBy: "..").map { ConfigurationLexer.trim(Substring($0)) }
            let parsed = ends.map(ConfigurationParser.calendarDate)
            guard (1...2).contains(ends.count), parsed.allSatisfy({ $0 != nil }) else {
                error(line, "'\(Excerpt.of(item))' in \(Excerpt.of(key)) of [calendar] is not a date or a range of dates; write real dates as YYYY-MM-DD and ranges as FIRST..LAST, e.g. \(Excerpt.of(key)) = \(example)")
                return nil
            }
            guard ends.count == 2 else { dates.append(parsed[0]!); continue }
            let first = CivilDate.days(of: parsed[0]!)!, last = CivilDate.days(of: parsed[1]!)!
            let span = Int(last - first) + 1
            guard span >= 1 else {
                error(line, "'\(Excerpt.of(item))' in \(Excerpt.of(key)) of [calendar] ends before it starts; write the earlier date first, e.g. \(ends[1])..\(ends[0])")
                return nil
            }
            guard span <= ConfigurationParser.longestHolidayRange else {
                error(line, "'\(Excerpt.of(item))' in \(Excerpt.of(key)) of [calendar] spans \(span) days; a range may span at most \(ConfigurationParser.longestHolidayRange) days, list each year's dates separately")
                return nil
            }
            for i in 0..<span {
                dates.append(CivilDate.string(days: first + Int64(i)))
            }
        }
        return dates
    }

    /// The whole `[calendar]`: working hours are needed for days, holidays and make-up days to
    /// mean anything, and no date may be both a holiday and a make-up day.
    mutating func finishCalendar() {
        guard calendar.line > 0 else { return }
        guard let hours = calendar.hours else {
            if calendar.hoursRejected { return }
            for key in ["days", "holidays", "workdays"] {
                guard let line = calendar.lines[key] else { continue }
                error(line, "\(Excerpt.of(key)) in [calendar] has no effect with hours = 24x7 (deadlines count every hour of every day); set working hours such as hours = 09:00-18:00, or remove \(Excerpt.of(key))")
            }
            return
        }
        for (date, line) in calendar.workdays.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
            guard let holidayLine = calendar.holidays[date] else { continue }
            error(line, "\(Excerpt.of(date)) is both a make-up working day (workdays) and a holiday (holidays, line \(holidayLine)); remove it from one of them")
        }
        let weekdays = calendar.weekdays ?? WorkingCalendar.mondayToFriday
        if weekdays.isEmpty && calendar.workdays.isEmpty {
            error(calendar.lines["days"] ?? calendar.line, "[calendar] has no working day; list the working weekdays, e.g. days = mon-fri")
        }
        config.workingCalendar = WorkingCalendar(hours: hours, weekdays: weekdays, holidays: Set(calendar.holidays.keys),
                                                 workdays: Set(calendar.workdays.keys))
    }

    mutating func resolveDeadline(_ draft: inout ConfigurationParser.ServiceDraft, key: String, value: String, line: Int) {
        guard let duration = DeadlineDuration.parse(value) else {
            error(line, "\(Excerpt.of(key)) = \(Excerpt.of(value)) in \(draft.label) is not a duration; write a whole number with m (minutes), h (hours) or d (days), e.g. \(Excerpt.of(key)) = \(key == "resolve-ordinary" ? "30m" : "6h")")
            return
        }
        guard duration.amount >= 1 else {
            error(line, "\(Excerpt.of(key)) = \(Excerpt.of(value)) in \(draft.label) is too short; use at least 1m")
            return
        }
        let limit = ConfigurationParser.longestResolveDays
        guard duration.seconds(on: .always) <= limit * 86_400 else {
            error(line, "\(Excerpt.of(key)) = \(Excerpt.of(value)) in \(draft.label) is too long; use at most \(limit)d (\(limit * 24)h)")
            return
        }
        if key == "resolve-ordinary" { draft.config.resolveOrdinary = duration } else { draft.config.resolveSerious = duration }
    }

    mutating func rootCauses(_ value: String, line: Int) {
        guard let items = list(value, key: "root-causes", line: line, example: "cause.staff, cause.process") else { return }
        if let bad = items.first(where: { !ConfigurationParser.isCatalogKey($0) }) {
            error(line, "'\(Excerpt.of(bad))' in root-causes is not a catalog key; use keys like cause.staff, separated by commas")
        } else if items.count > ConfigurationParser.maxRootCauses {
            error(line, "root-causes in [kiosk] lists \(items.count) causes; a counter picks one with keys 1–9, so list at most \(ConfigurationParser.maxRootCauses)")
        } else {
            config.rootCauses = items
        }
    }
}
