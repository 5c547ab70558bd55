#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskSystem

/// A site's time zone, read from the system's time zone database (`/usr/share/zoneinfo`, the
/// TZif files of RFC 8536; `TZDIR` overrides the folder), as the C library's `localtime_r` reads it.
///
/// Why not Foundation's `TimeZone`: without Foundation's internationalisation layer (ICU, about
/// 30 MB of a static binary and most of its resident memory) `TimeZone(identifier:)` knows only
/// fixed offsets, and the daemon links FoundationEssentials only. Offsets come from the file's
/// transitions and, past the last one, from its POSIX TZ rule (`CST-8`, `EST5EDT,M3.2.0,M11.1.0`).
public struct SiteTimeZone: Sendable, Hashable, CustomStringConvertible {
    /// The IANA name, "Asia/Shanghai".
    public let identifier: String
    private let rules: Rules

    /// The zone named `identifier`, or nil when the database has no such zone (or the name could
    /// leave the database's folder).
    public init?(identifier: String) {
        guard let rules = Self.cache.withLock({ () -> Rules? in
            if let known = Self.loaded[identifier] { return known }
            let read = Rules.read(identifier)
            if let read { Self.loaded[identifier] = read }
            return read
        }) else { return nil }
        self.identifier = identifier
        self.rules = rules
    }

    /// A zone `seconds` east of UTC all year.
    public init(identifier: String, fixedSecondsFromGMT seconds: Int) {
        self.identifier = identifier
        rules = Rules(transitions: [], offsets: [], initial: seconds, footer: nil)
    }

    /// The same zone as a Foundation `TimeZone` (by name, else at its offset now), for code that
    /// works with Foundation's types (the centre, tests).
    public init(_ timeZone: TimeZone) {
        self = SiteTimeZone(identifier: timeZone.identifier)
            ?? SiteTimeZone(identifier: timeZone.identifier, fixedSecondsFromGMT: timeZone.secondsFromGMT())
    }

    /// Foundation's `TimeZone` of the same name where the process links Foundation's time zones
    /// (the centre, tests); otherwise a fixed offset, the one in effect now.
    public var foundation: TimeZone {
        TimeZone(identifier: identifier) ?? TimeZone(secondsFromGMT: secondsFromGMT(for: Date())) ?? TimeZone(secondsFromGMT: 0)!
    }

    /// The default site zone: China Standard Time (UTC+8 all year since 1991), also where the
    /// database is not installed.
    public static let shanghai = SiteTimeZone(identifier: "Asia/Shanghai")
        ?? SiteTimeZone(identifier: "Asia/Shanghai", fixedSecondsFromGMT: 8 * 3600)
    public static let utc = SiteTimeZone(identifier: "UTC", fixedSecondsFromGMT: 0)

    public var description: String { identifier }
    public static func == (a: SiteTimeZone, b: SiteTimeZone) -> Bool { a.identifier == b.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(identifier) }

    /// Seconds east of UTC at `date`.
    public func secondsFromGMT(for date: Date) -> Int { rules.offset(at: Int64(date.timeIntervalSince1970.rounded(.down))) }

    /// Local wall-clock seconds since 1970-01-01 00:00 at `date`.
    func localSeconds(_ date: Date) -> Int64 {
        let t = Int64(date.timeIntervalSince1970.rounded(.down))
        return t + Int64(rules.offset(at: t))
    }

    /// The instant at local wall-clock seconds `local`, as Foundation's `Calendar` reads it: a
    /// local time repeated by a daylight-saving change is its first occurrence, and one skipped is
    /// read with the offset before the change (02:30 on a spring-forward night is 03:30).
    func instant(local: Int64) -> Date {
        // The offsets a day either side (zone offsets are at most 26 h apart, transitions days).
        let before = Int64(rules.offset(at: local - 86_400)), after = Int64(rules.offset(at: local + 86_400))
        for o in [max(before, after), min(before, after)] where Int64(rules.offset(at: local - o)) == o {
            return Date(timeIntervalSince1970: TimeInterval(local - o))
        }
        return Date(timeIntervalSince1970: TimeInterval(local - before))
    }

    /// Where the zone database is read from (`TZDIR`, else /usr/share/zoneinfo; Debian's tzdata).
    public static var databaseFolder: String { Rules.root }
    /// Whether that folder holds a zone database (its UTC zone).
    public static var databaseInstalled: Bool { FileManager.default.fileExists(atPath: Rules.root + "/UTC") }

    /// Names the zone database knows (zone1970.tab), for "did you mean" in configuration errors.
    public static var knownIdentifiers: [String] {
        let root = Rules.root
        guard let data = FileManager.default.contents(atPath: root + "/zone1970.tab")
            ?? FileManager.default.contents(atPath: root + "/zone.tab") else { return ["UTC"] }
        return ["UTC"] + String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t")
            return fields.count >= 3 ? String(fields[2]) : nil
        }
    }

    private static let cache = Lock()
    nonisolated(unsafe) private static var loaded: [String: Rules] = [:]

    /// A zone's offsets: transitions (UTC seconds) with the offset from each on, and the rule
    /// after the last.
    private final class Rules: Sendable {
        let transitions: [Int64]
        let offsets: [Int]
        let initial: Int
        let footer: PosixRule?

        init(transitions: [Int64], offsets: [Int], initial: Int, footer: PosixRule?) {
            self.transitions = transitions; self.offsets = offsets; self.initial = initial; self.footer = footer
        }

        static var root: String { getenv("TZDIR").map { String(cString: $0) } ?? "/usr/share/zoneinfo" }

        func offset(at t: Int64) -> Int {
            guard let last = transitions.last else { return footer?.offset(at: t) ?? initial }
            if t >= last, let footer { return footer.offset(at: t) }
            guard t >= transitions[0] else { return initial }
            // The last transition at or before t.
            var low = 0, high = transitions.count - 1
            while low < high {
                let mid = (low + high + 1) / 2
                if transitions[mid] <= t { low = mid } else { high = mid - 1 }
            }
            return offsets[low]
        }

        static func read(_ identifier: String) -> Rules? {
            let allowed = identifier.utf8.allSatisfy { c in
                (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2F || c == 0x5F || c == 0x2D || c == 0x2B
            }
            guard allowed, !identifier.isEmpty, !identifier.hasPrefix("/"), !identifier.split(separator: "/").contains(".."),
                  let data = FileManager.default.contents(atPath: root + "/" + identifier) else { return nil }
            return parse([UInt8](data))
        }

        /// RFC 8536: the version 2+ (64-bit) block when present, then the footer's TZ rule.
        static func parse(_ b: [UInt8]) -> Rules? {
            guard b.count >= 44, b[0] == 0x54, b[1] == 0x5A, b[2] == 0x69, b[3] == 0x66 else { return nil }
            func be(_ at: Int, _ n: Int) -> Int64? {
                guard at + n <= b.count else { return nil }
                var v: UInt64 = 0
                for i in 0..<n { v = v << 8 | UInt64(b[at + i]) }
                return n == 4 ? Int64(Int32(bitPattern: UInt32(v))) : Int64(bitPattern: v)
            }
            func counts(_ at: Int) -> (isut: Int, isstd: Int, leap: Int, time: Int, type: Int, char: Int)? {
                guard let a = be(at + 20, 4), let s = be(at + 24, 4), let l = be(at + 28, 4), let t = be(at + 32, 4),
                      let y = be(at + 36, 4), let c = be(at + 40, 4), min(a, s, l, t, y, c) >= 0 else { return nil }
                return (Int(a), Int(s), Int(l), Int(t), Int(y), Int(c))
            }
            guard var c = counts(0) else { return nil }
            var start = 44, timeSize = 4
            if b[4] >= 0x32 {  // version '2' or later: skip the 32-bit block
                start += c.time * 5 + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut
                guard let c2 = counts(start) else { return nil }
                c = c2; start += 44; timeSize = 8
            }
            let typesAt = start + c.time * timeSize + c.time
            let end = typesAt + c.type * 6 + c.char + c.leap * (timeSize + 4) + c.isstd + c.isut
            guard c.type > 0, end <= b.count else { return nil }
            var typeOffsets: [Int] = []
            for i in 0..<c.type { typeOffsets.append(Int(be(typesAt + i * 6, 4)!)) }
            var transitions: [Int64] = [], offsets: [Int] = []
            for i in 0..<c.time {
                let index = Int(b[start + c.time * timeSize + i])
                guard index < c.type else { return nil }
                transitions.append(be(start + i * timeSize, timeSize)!)
                offsets.append(typeOffsets[index])
            }
            var footer: PosixRule?
            if timeSize == 8, end < b.count, b[end] == 0x0A, let close = b[(end + 1)...].firstIndex(of: 0x0A) {
                footer = PosixRule(String(decoding: b[(end + 1)..<close], as: UTF8.self))
            }
            return Rules(transitions: transitions, offsets: offsets, initial: typeOffsets[0], footer: footer)
        }
    }
}

/// A POSIX TZ rule as in TZif footers: standard offset, and optionally a daylight offset with
/// `Mm.w.d[/time]` start and end rules (the only form the database writes).
struct PosixRule: Sendable {
    let standard: Int
    let daylight: (offset: Int, start: Transition, end: Transition)?

    struct Transition: Sendable {
        var month = 1, week = 1, weekday = 0, time = 7200
        /// Local seconds (in the offset then in force) of this rule's moment in `year`.
        func localSeconds(in year: Int) -> Int64 {
            let first = CivilDate.days(year: year, month: month, day: 1)
            let firstWeekday = CivilDate.weekday(days: first) - 1  // 0 = Sunday
            var day = 1 + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7
            let length = CivilDate.daysInMonth(year: year, month: month)
            while day > length { day -= 7 }
            return (first + Int64(day - 1)) * 86_400 + Int64(time)
        }
    }

    init?(_ text: String) {
        var s = Substring(text)
        func name() -> Bool {
            if s.first == "<" {
                guard let close = s.firstIndex(of: ">") else { return false }
                s = s[s.index(after: close)...]
                return true
            }
            let letters = s.prefix { $0.isLetter }
            s = s.dropFirst(letters.count)
            return letters.count >= 3
        }
        /// [+-]hh[:mm[:ss]] in seconds, as written.
        func clock() -> Int? {
            var sign = 1
            if s.first == "+" || s.first == "-" { sign = s.first == "-" ? -1 : 1; s = s.dropFirst() }
            var parts: [Int] = []
            repeat {
                if !parts.isEmpty { s = s.dropFirst() }
                let digits = s.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, let v = Int(digits) else { return nil }
                parts.append(v); s = s.dropFirst(digits.count)
            } while s.first == ":" && parts.count < 3
            return sign * (parts[0] * 3600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0))
        }
        func transition() -> Transition? {
            guard s.first == "," else { return nil }
            s = s.dropFirst()
            guard s.first == "M" else { return nil }
            s = s.dropFirst()
            let fields = s.prefix { $0 != "/" && $0 != "," }.split(separator: ".").compactMap { Int($0) }
            s = s.drop { $0 != "/" && $0 != "," }
            guard fields.count == 3, (1...12).contains(fields[0]), (1...5).contains(fields[1]), (0...6).contains(fields[2]) else { return nil }
            var t = Transition(month: fields[0], week: fields[1], weekday: fields[2])
            if s.first == "/" {
                s = s.dropFirst()
                guard let time = clock() else { return nil }
                t.time = time
            }
            return t
        }
        guard name(), let std = clock() else { return nil }
        standard = -std  // POSIX offsets are west of UTC
        guard !s.isEmpty else { daylight = nil; return }
        guard name() else { return nil }
        var dst = standard + 3600
        if s.first != ",", let written = clock() { dst = -written }
        guard let start = transition(), let end = transition() else { return nil }
        daylight = (dst, start, end)
    }

    func offset(at t: Int64) -> Int {
        guard let daylight else { return standard }
        let year = CivilDate.fromDays(CivilDate.floorDiv(t + Int64(standard), 86_400)).year
        // Daylight time starts at a local standard time and ends at a local daylight time.
        let starts = daylight.start.localSeconds(in: year) - Int64(standard)
        let ends = daylight.end.localSeconds(in: year) - Int64(daylight.offset)
        let inDaylight = starts < ends ? (t >= starts && t < ends) : !(t >= ends && t < starts)
        return inDaylight ? daylight.offset : standard
    }
}

/// Proleptic Gregorian dates as days since 1970-01-01 (H. Hinnant's algorithms): what the
/// kiosk's local calendar arithmetic needs, without Foundation's `Calendar`.
public enum CivilDate {
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func fromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }

    /// 1 = Sunday … 7 = Saturday (as `Calendar` numbers them); 1970-01-01 was a Thursday.
    public static func weekday(days: Int64) -> Int { Int(((days % 7) + 7 + 4) % 7) + 1 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        Int(days(year: month == 12 ? year + 1 : year, month: month == 12 ? 1 : month + 1, day: 1) - days(year: year, month: month, day: 1))
    }

    /// "YYYY-MM-DD" of a day number.
    public static func string(days: Int64) -> String {
        let d = fromDays(days)
        return String(cFormat: "%04d-%02d-%02d", d.year, d.month, d.day)
    }

    /// The day number of "YYYY-MM-DD", nil when it is not one.
    public static func days(of text: some StringProtocol) -> Int64? {
        let p = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard p.count == 3, let y = p[0], let m = p[1], let d = p[2], (1...12).contains(m), d >= 1, d <= daysInMonth(year: y, month: m) else { return nil }
        return days(year: y, month: m, day: d)
    }
}
