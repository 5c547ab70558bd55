#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the forecasting estimator learns from the events, live and on replay (kioskd replays the
/// last business days on start, so a fresh process knows as much as the one before it). Every
/// figure is a list of recent observations, not an average: the forward simulation draws from
/// them, so a skewed or two-peaked service time gives a skewed forecast and an honest range.
/// (The visit in service is the exception: its remaining time comes from a lognormal fitted to
/// `served`, conditioned on how long it has lasted, because the records longer than a visit that
/// has run a while are too few to draw from.)
public struct ForecastHistory: Equatable, Sendable {
    /// Observations kept per list: recent enough to follow change, enough for the tails.
    public static let capacity = 300
    static let hourCapacity = 60

    /// How long a counter is held per visit of a service, call → release (finished, no-show or
    /// transferred), in seconds: what a ticket ahead costs the counter that calls it.
    public private(set) var occupancy: [String: [Double]] = [:]
    /// The same by local hour of the call (`occupancyByHour[service][hour]`): services are
    /// slower at some hours; used where an hour has enough history.
    public private(set) var occupancyByHour: [String: [Int: [Double]]] = [:]
    /// Call → finish of visits that were served: a visit in service is conditioned on these.
    public private(set) var served: [String: [Double]] = [:]
    /// Call → release of visits whose resident was recalled (the ones not at the counter when
    /// called): mostly no-shows, marked after the recalls, whatever the service. A called ticket
    /// already recalled is drawn from these, not from all visits of its service.
    public private(set) var recalledOccupancy: [Double] = []
    /// Tickets recalled since their latest call, to file their visit there when it ends.
    var recalled: Set<String> = []
    /// Staff reaction: a counter's release → its next call, when someone it serves was waiting.
    public private(set) var reaction: [Double] = []
    /// Pause lengths (counter.paused → counter.opened), in seconds.
    public private(set) var pauses: [Double] = []
    /// Business days seen, for rates per day.
    public private(set) var days = 0
    var lastDay = ""
    /// Priority tickets issued per service and local hour, over all days seen: later priority
    /// tickets go ahead of normal ones already waiting, so the forecast expects them.
    public private(set) var priorityArrivals: [String: [Int: Int]] = [:]
    /// Per counter, one entry for each of the last `breakDaysKept` business days it was staffed:
    /// the local time of day (seconds after midnight) its first break began, or -1 for a day
    /// without one. A lunch break taken at 12:30 most days is expected at 12:30, not somewhere in
    /// the hour. While the counter works today, today's entry is the last.
    public private(set) var breakDays: [Int: [Double]] = [:]
    /// The same days' break ends (local time of day the counter reopened after its first break;
    /// -1 when it did not, or not yet). Staff on a rota come back at the rota's time however late
    /// they left (a break from 12:00 to 12:30 begun at 12:08 lasts 22 minutes), others after a
    /// usual length: `breakEndOutlook` tells which the past days show.
    public private(set) var breakEnds: [Int: [Double]] = [:]
    /// Per counter, the local time of day it was first staffed on each of the last
    /// `breakDaysKept` business days it was (days it was not have no entry): a counter whose
    /// staff come at 09:00 is expected then, not as if someone sat down the moment a ticket for
    /// it is taken. `openingOutlook` reads it.
    public private(set) var firstLogins: [Int: [Double]] = [:]
    static let breakDaysKept = 60
    /// Counters staffed, and counters that paused, this business day (one break a day is
    /// expected, not more).
    var staffedToday: Set<Int> = []
    var pausedToday: Set<Int> = []
    /// The time of the event being observed (when a counter is first staffed today).
    var lastEventTime = Date(timeIntervalSince1970: 0)

    /// Open visits and pauses, to measure them when they end.
    var calledAt: [String: Date] = [:]
    var releasedAt: [Int: Date] = [:]
    var pausedAt: [Int: Date] = [:]
    /// Seconds east of UTC of the site, for the hour of a visit.
    let utcOffset: Int

    public init(timeZone: SiteTimeZone) { utcOffset = timeZone.secondsFromGMT(for: Date()) }

    /// Local hour (0–23) of a moment.
    func hour(_ time: Date) -> Int { Self.hour(time.timeIntervalSince1970, offset: utcOffset) }
    static func hour(_ seconds: Double, offset: Int) -> Int {
        let local = (seconds + Double(offset)).truncatingRemainder(dividingBy: 86_400)
        return Int((local < 0 ? local + 86_400 : local) / 3_600) % 24
    }

    /// Seconds after local midnight of a moment.
    func timeOfDay(_ time: Date) -> Double { Self.timeOfDay(time.timeIntervalSince1970, offset: utcOffset) }
    static func timeOfDay(_ seconds: Double, offset: Int) -> Double {
        let local = (seconds + Double(offset)).truncatingRemainder(dividingBy: 86_400)
        return local < 0 ? local + 86_400 : local
    }

    /// When the visit now at a counter began (its latest call).
    public func visitStart(of label: String) -> Date? { calledAt[label] }
    /// When a paused counter paused.
    public func pauseStart(of counter: Int) -> Date? { pausedAt[counter] }
    /// When a counter last let a ticket go.
    public func release(of counter: Int) -> Date? { releasedAt[counter] }

    /// Whether a counter has paused already this business day.
    public func hasPausedToday(_ counter: Int) -> Bool { pausedToday.contains(counter) }

    public mutating func observe(_ e: KioskEvent, in state: QueueState) {
        if e.day != lastDay { lastDay = e.day; days += 1; pausedToday = []; staffedToday = [] }
        lastEventTime = e.time
        switch e.type {
        case .ticketIssued:
            if e.priority == true, let s = e.service { priorityArrivals[s, default: [:]][hour(e.time), default: 0] += 1 }
        case .ticketCalled:
            guard let label = e.ticket else { return }
            if let n = e.counter, let released = releasedAt.removeValue(forKey: n), state.counters[n] != nil {
                // Only a gap with someone waiting is reaction; an idle counter's gap is not.
                let gap = e.time.timeIntervalSince(released)
                if gap >= 0 && gap <= 600 { Self.append(gap, to: &reaction) }
            }
            calledAt[label] = e.time
            recalled.remove(label)
        case .ticketRecalled:
            if let label = e.ticket { recalled.insert(label) }
        case .serviceFinished, .ticketNoShow, .ticketTransferred:
            guard let label = e.ticket, let start = calledAt.removeValue(forKey: label) else { return }
            let seconds = max(0, e.time.timeIntervalSince(start))
            if recalled.remove(label) != nil { Self.append(seconds, to: &recalledOccupancy, capacity: 50) }
            let service = e.type == .ticketTransferred ? (e.fromService ?? e.service) : (state.tickets[label]?.service ?? e.service)
            if let service {
                Self.append(seconds, to: &occupancy[service, default: []])
                let h = hour(start)
                var byHour = occupancyByHour[service, default: [:]]
                Self.append(seconds, to: &byHour[h, default: []], capacity: Self.hourCapacity)
                occupancyByHour[service] = byHour
                if e.type == .serviceFinished { Self.append(seconds, to: &served[service, default: []]) }
            }
            // The counter's next call measures the reaction, if someone it serves is waiting.
            if let n = e.counter, let c = state.counters[n], c.status == .open,
               state.waitingTickets.contains(where: { c.services.contains($0.service) }) {
                releasedAt[n] = e.time
            } else if let n = e.counter {
                releasedAt[n] = nil
            }
        case .counterPaused:
            if let n = e.counter {
                pausedAt[n] = e.time; releasedAt[n] = nil
                staffed(n)
                if pausedToday.insert(n).inserted, var list = breakDays[n], !list.isEmpty {
                    list[list.count - 1] = timeOfDay(e.time)
                    breakDays[n] = list
                }
            }
        case .counterOpened:
            if let n = e.counter, let start = pausedAt.removeValue(forKey: n) {
                Self.append(e.time.timeIntervalSince(start), to: &pauses, capacity: 50)
                if var ends = breakEnds[n], ends.last == -1, breakDays[n]?.last.map({ $0 >= 0 }) == true {
                    ends[ends.count - 1] = timeOfDay(e.time)
                    breakEnds[n] = ends
                }
            }
            if let n = e.counter { staffed(n) }
        case .staffLoggedIn:
            if let n = e.counter { staffed(n) }
        case .counterClosed, .staffLoggedOut:
            if let n = e.counter { pausedAt[n] = nil; releasedAt[n] = nil }
        case .dayClosed:
            calledAt = [:]; releasedAt = [:]; pausedAt = [:]; recalled = []
        default:
            break
        }
    }

    /// Counter `n` works today: its entry in `breakDays` (no break yet).
    private mutating func staffed(_ n: Int) {
        if staffedToday.insert(n).inserted {
            Self.append(timeOfDay(lastEventTime), to: &firstLogins[n, default: []], capacity: Self.breakDaysKept)
            Self.append(-1, to: &breakDays[n, default: []], capacity: Self.breakDaysKept)
            Self.append(-1, to: &breakEnds[n, default: []], capacity: Self.breakDaysKept)
        }
    }

    /// Whether counter `n`, staffed and without a break yet today, still takes one, seen at
    /// `now`: of the earlier days it was staffed and had not begun its break by this time of
    /// day, the share that began one later (`chance`), and when they did, in seconds from now.
    public func breakOutlook(_ n: Int, at now: Date) -> (chance: Double, offsets: [Double]) {
        var past = breakDays[n] ?? []
        if staffedToday.contains(n), !past.isEmpty { past.removeLast() }
        let clock = timeOfDay(now)
        let later = past.filter { $0 > clock }
        let undecided = past.filter { $0 < 0 || $0 > clock }.count
        return (undecided > 0 ? Double(later.count) / Double(undecided) : 0, later.map { $0 - clock })
    }

    /// Whether counter `n`'s breaks end at a time of day rather than after a length, seen at
    /// `now`: of the earlier days with a whole first break, the ends (as seconds from now) when
    /// they lie closer together than the lengths do (by mean absolute deviation from their
    /// medians; at least 3 such days), else nil (a break then lasts a drawn length).
    public func breakEndOutlook(_ n: Int, at now: Date) -> [Double]? {
        var starts = breakDays[n] ?? [], ends = breakEnds[n] ?? []
        guard starts.count == ends.count else { return nil }
        if staffedToday.contains(n), !starts.isEmpty { starts.removeLast(); ends.removeLast() }
        let days = zip(starts, ends).filter { $0.0 >= 0 && $0.1 >= $0.0 }
        guard days.count >= 3 else { return nil }
        func spread(_ values: [Double]) -> Double {
            let sorted = values.sorted(), median = sorted[sorted.count / 2]
            return sorted.reduce(0) { $0 + abs($1 - median) } / Double(sorted.count)
        }
        let clock = timeOfDay(now)
        let endTimes = days.map(\.1)
        return spread(endTimes) < spread(days.map { $0.1 - $0.0 }) ? endTimes.map { $0 - clock } : nil
    }

    /// Whether counter `n`, not staffed yet today, will be, seen at `now`: of the earlier days
    /// (at most `breakDaysKept`), those it was staffed after this time of day over those it had
    /// not been staffed by then (days without staff included), and when, in seconds from now.
    /// Nil when the counter was never staffed, or has been today.
    public func openingOutlook(_ n: Int, at now: Date) -> (chance: Double, offsets: [Double])? {
        guard !staffedToday.contains(n), let logins = firstLogins[n], !logins.isEmpty else { return nil }
        let clock = timeOfDay(now)
        let later = logins.filter { $0 > clock }
        let without = max(0, min(days - 1, Self.breakDaysKept) - logins.count)
        let undecided = later.count + without
        return (undecided > 0 ? Double(later.count) / Double(undecided) : 0, later.map { $0 - clock })
    }

    /// Whether counter `n` is on its first break of the day now (the one `breakEnds` describes).
    public func onFirstBreak(_ n: Int) -> Bool {
        pausedAt[n] != nil && pausedToday.contains(n) && breakEnds[n]?.last == -1
    }

    private static func append(_ value: Double, to list: inout [Double], capacity: Int = ForecastHistory.capacity) {
        list.append(value)
        if list.count > capacity { list.removeFirst(list.count - capacity) }
    }
}
