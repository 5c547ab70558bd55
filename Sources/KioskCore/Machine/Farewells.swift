#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The farewell after each visit: by weather, else by time of day, never the one shown last;
/// with today's festival greeting and the case reference if one was opened. It ends with a
/// `farewell.ended` event, so a replay lands on the same idle pad.
extension KioskMachine {
    static let farewellPrefixes = ["farewell.morning.", "farewell.afternoon.", "farewell.evening.", "farewell.rain.", "farewell.hot.", "farewell.cold."]

    mutating func showFarewell(counter n: Int, ticket: String?, now: Date, into out: inout KioskOutput) {
        var e = event(.farewellShown, now, counter: n, ticket: ticket.flatMap { state.tickets[$0] })
        e.ticket = ticket
        e.message = chooseFarewell(now: now)
        e.caseRef = ticket.flatMap { state.tickets[$0]?.caseRef }
        record(e, into: &out)
    }

    /// Farewells whose time is up end, and their pads go idle.
    mutating func endFarewells(now: Date, into out: inout KioskOutput) {
        for n in state.counters.keys.sorted() {
            guard case .farewell(_, let ticket, let since) = state.counters[n]?.pad,
                  elapsed(since, now) >= configuration.farewellSeconds else { continue }
            var e = event(.farewellEnded, now, counter: n, ticket: ticket.flatMap { state.tickets[$0] })
            e.ticket = ticket
            record(e, into: &out)
        }
    }

    /// Picks the farewell by weather, else time of day, never the one shown last.
    func chooseFarewell(now: Date) -> String {
        let prefix: String
        if state.weather != .clear {
            prefix = "farewell.\(state.weather.rawValue)."
        } else {
            let hour = calendar.hour(of: now)
            prefix = hour >= 5 && hour < 12 ? "farewell.morning." : hour >= 12 && hour < 18 ? "farewell.afternoon." : "farewell.evening."
        }
        var candidates = (farewellKeys[prefix] ?? []).filter { $0 != state.lastFarewell }
        if candidates.isEmpty { candidates = (farewellKeys["farewell.morning."] ?? []) + (farewellKeys["farewell.evening."] ?? []) }
        candidates.removeAll { $0 == state.lastFarewell }
        guard !candidates.isEmpty else { return "farewell.default" }
        return candidates[state.farewellsToday % candidates.count]
    }

    /// Today's festival greeting key, if any.
    public func festivalKey(now: Date) -> String? {
        let md = calendar.monthDay(of: now)
        return configuration.festivals.first { $0.month == md.month && $0.day == md.day }?.messageKey
    }
}
