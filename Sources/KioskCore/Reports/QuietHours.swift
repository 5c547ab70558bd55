#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Busy and quiet hours from stored history, for the lobby screen (告知客户避开忙时).
public enum QuietHours {
    /// nil until at least `minimumTickets` `ticket.issued` events exist. Otherwise, by hour of
    /// local time in `timeZone`:
    /// - busy: up to 3 hours with the most tickets per distinct business day observed
    ///   (ties: earlier hour first);
    /// - quiet: up to 3 opening hours (hours that had any tickets), not already busy, with the
    ///   fewest tickets per day (ties: earlier hour first).
    /// Both lists are sorted by hour.
    public static func advice(events: [KioskEvent], timeZone: SiteTimeZone, minimumTickets: Int = 20) -> (busy: [Int], quiet: [Int])? {
        var tally = Tally(timeZone: timeZone)
        for e in events { tally.add(e) }
        return tally.advice(minimumTickets: minimumTickets)
    }

    /// The advice's counts, one event at a time: kioskd reads four weeks of tickets from its
    /// store row by row (`EventStore.forEachEvent`) instead of holding them all.
    public struct Tally: Sendable {
        private let calendar: LocalCalendar
        private var counts = [Int](repeating: 0, count: 24)
        private var days: Set<String> = []

        public init(timeZone: SiteTimeZone) { calendar = LocalCalendar(zone: timeZone, dayStartHour: 0) }

        /// Counts `event` if it is a `ticket.issued`; any other is ignored.
        public mutating func add(_ event: KioskEvent) {
            guard event.type == .ticketIssued else { return }
            counts[calendar.hour(of: event.time)] += 1
            days.insert(event.day)
        }

        /// `QuietHours.advice` of the events added.
        public func advice(minimumTickets: Int = 20) -> (busy: [Int], quiet: [Int])? {
            let issued = counts.reduce(0, +)
            guard issued > 0, issued >= minimumTickets else { return nil }
            let perDay = counts.map { Double($0) / Double(max(days.count, 1)) }
            let open = (0..<24).filter { counts[$0] > 0 }
            let busy = open.sorted { (-perDay[$0], $0) < (-perDay[$1], $1) }.prefix(3)
            let quiet = open.filter { !busy.contains($0) }.sorted { (perDay[$0], $0) < (perDay[$1], $1) }.prefix(3)
            return (busy: busy.sorted(), quiet: quiet.sorted())
        }
    }

    /// The same with a Foundation time zone (tests, the centre).
    public static func advice(events: [KioskEvent], timeZone: TimeZone, minimumTickets: Int = 20) -> (busy: [Int], quiet: [Int])? {
        advice(events: events, timeZone: SiteTimeZone(timeZone), minimumTickets: minimumTickets)
    }
}
