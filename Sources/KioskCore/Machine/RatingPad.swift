#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The rating pad at each counter (the counter's keypad, used by the resident after a visit):
/// 1–4 rates; after a low rating 1–6 gives the reason, which opens a case; unanswered questions
/// move on by themselves. One rating per ticket: more presses are counted as misuse.
extension KioskMachine {
    /// Offers a digit to the rating pad; true when the pad used it.
    mutating func padTakes(digit d: Int, counter n: Int, now: Date, into out: inout KioskOutput) -> Bool {
        guard let pad = state.counters[n]?.pad else { return false }
        switch pad {
        case .idle:
            return false
        case .awaitingRating(let label, _):
            guard (1...4).contains(d) else { return true }
            var e = event(.ratingRecorded, now, counter: n, ticket: state.tickets[label])
            e.ticket = label
            e.rating = d
            e.score = [100, 67, 33, 0][d - 1]
            if let t = state.tickets[label], let c = t.counter { e.staff = e.staff ?? state.counters[c]?.staff }
            record(e, into: &out)
            if d <= 2 {
                // A visit staff marked unresolved has its case already: its number is asked now.
                askContact(ticket: label, counter: n, now: now, into: &out)
                if case .awaitingContact = state.counters[n]?.pad {} else { showFarewell(counter: n, ticket: label, now: now, into: &out) }
            }
            return true
        case .awaitingReason(let label, _, _):
            guard d >= 1, d <= configuration.reasons.count else { return true }
            recordReason(configuration.reasons[d - 1], ticket: label, counter: n, now: now, into: &out)
            return true
        case .commitment(let label, _, _), .farewell(_, let label?, _):
            // One rating per ticket: more presses are misuse, counted and otherwise ignored. The
            // other digits are staff's (the case key, while the resident is still there).
            guard (1...4).contains(d) else { return false }
            var e = event(.ratingMisuse, now, counter: n, ticket: state.tickets[label])
            e.ticket = label
            e.rating = d
            record(e, into: &out)
            return true
        case .farewell(_, nil, _):
            return (1...4).contains(d)
        case .awaitingContact:
            return true  // `contactTakes` has the keys while the number is asked
        }
    }

    /// Rating pads move on by themselves when nobody answers.
    mutating func movePadsOn(now: Date, into out: inout KioskOutput) {
        for n in state.counters.keys.sorted() {
            guard let pad = state.counters[n]?.pad else { continue }
            switch pad {
            case .awaitingRating(let label, let since) where elapsed(since, now) >= configuration.ratingTimeoutSeconds:
                var e = event(.notRated, now, counter: n, ticket: state.tickets[label])
                e.ticket = label
                record(e, into: &out)
                showFarewell(counter: n, ticket: label, now: now, into: &out)
            case .awaitingReason(let label, _, let since) where elapsed(since, now) >= configuration.reasonTimeoutSeconds:
                recordReason(nil, ticket: label, counter: n, now: now, into: &out)
            case .awaitingContact(_, _, let since):
                moveContactOn(counter: n, since: since, now: now, into: &out)
            case .commitment(let label, _, let since) where elapsed(since, now) >= configuration.commitmentSeconds:
                showFarewell(counter: n, ticket: label, now: now, into: &out)
            default:
                break
            }
        }
    }

    private mutating func recordReason(_ reason: String?, ticket label: String, counter n: Int, now: Date, into out: inout KioskOutput) {
        var e = event(.ratingReason, now, counter: n, ticket: state.tickets[label])
        e.ticket = label
        e.reason = reason
        record(e, into: &out)
        openCase(ticket: label, counter: n, reason: reason, now: now, into: &out)
        askContact(ticket: label, counter: n, now: now, into: &out)
    }
}
