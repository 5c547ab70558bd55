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
        let issued = events.filter { $0.type == .ticketIssued }
        guard !issued.isEmpty, issued.count >= minimumTickets else { return nil }
        let calendar = LocalCalendar(zone: timeZone, dayStartHour: 0)
        var counts = [Int](repeating: 0, count: 24)
        for e in issued { counts[calendar.hour(of: e.time)] += 1 }
        let days = Double(max(Set(issued.map(\.day)).count, 1))
        let perDay = counts.map { Double($0) / days }
        let open = (0..<24).filter { counts[$0] > 0 }
        let busy = open.sorted { (-perDay[$0], $0) < (-perDay[$1], $1) }.prefix(3)
        let quiet = open.filter { !busy.contains($0) }.sorted { (perDay[$0], $0) < (perDay[$1], $1) }.prefix(3)
        return (busy: busy.sorted(), quiet: quiet.sorted())
    }

    /// The same with a Foundation time zone (tests, the centre).
    public static func advice(events: [KioskEvent], timeZone: TimeZone, minimumTickets: Int = 20) -> (busy: [Int], quiet: [Int])? {
        advice(events: events, timeZone: SiteTimeZone(timeZone), minimumTickets: minimumTickets)
    }
}
