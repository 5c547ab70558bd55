#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The business day. The clock decides when a day is over (`business-day-start`); the events
/// say what that does, and `QueueState.beginDay` is the one place a new day begins, for the
/// live machine here and for a replay in `QueueState.apply` alike.
extension KioskMachine {
    /// Closes the old business day when a new one begins: an unanswered rating pad counts as not
    /// rated, staff are logged out, the queue is emptied (tickets never called count as walk-outs
    /// in reports), weather returns to the configured one, screens start afresh.
    mutating func rollOver(now: Date, into out: inout KioskOutput) {
        let today = calendar.businessDay(of: now)
        guard today != state.day else { return }
        if !state.dayClosed {
            for n in state.counters.keys.sorted() {
                guard let c = state.counters[n] else { continue }
                if case .awaitingRating(let label, _) = c.pad {
                    var e = event(.notRated, now, counter: n, ticket: state.tickets[label])
                    e.ticket = label
                    record(e, into: &out)
                }
                if c.staff != nil { record(event(.staffLoggedOut, now, counter: n), into: &out) }
                if c.status != .closed { record(event(.counterClosed, now, counter: n), into: &out) }
            }
            var close = KioskEvent(.dayClosed, at: now, day: state.day)
            close.detail = "walkouts=\(state.waitingTickets.count)"
            record(close, into: &out)
        }
        state.beginDay(today)
        estimateMemo = EstimateMemo()  // the new day's line is not an event's effect
        out.needsQuietHours = true
        for name in lobbies.keys { lobbies[name]?.mode = .idle }
        for n in counterUI.keys { counterUI[n] = CounterUI() }
        if state.weather != configuration.weather {
            var e = KioskEvent(.weatherSet, at: now, day: today)
            e.weather = configuration.weather
            record(e, into: &out)
        }
    }
}
