#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// Follow-up cases: opened by a low rating's reason (`RatingPad`) or by staff marking the visit
/// unresolved (key 8) before finishing it. Each case has a reference residents are given and a
/// reply deadline from the service.
extension KioskMachine {
    /// Key 8 while serving: toggles the unresolved mark (a case opens at finish).
    mutating func markUnresolved(_ current: Ticket?, counter n: Int, now: Date) {
        guard let t = current, t.status == .serving else { return notice(n, "counter.notice.no-ticket", now: now) }
        counterUI[n]?.unresolvedMarked.toggle()
    }

    /// Finishes the visit being served: the pad asks for a rating; a visit marked unresolved
    /// opens a case at once.
    mutating func finish(_ t: Ticket, counter n: Int, now: Date, into out: inout KioskOutput) {
        // A previous resident who never answered the pad is recorded as not rated.
        if case .awaitingRating(let label, _) = state.counters[n]?.pad {
            var e = event(.notRated, now, counter: n, ticket: state.tickets[label])
            e.ticket = label
            record(e, into: &out)
        }
        let unresolved = counterUI[n]?.unresolvedMarked ?? false
        var e = event(.serviceFinished, now, counter: n, ticket: t)
        if unresolved { e.unresolved = true }
        record(e, into: &out)
        counterUI[n]?.unresolvedMarked = false
        if unresolved {
            openCase(ticket: t.label, counter: nil, reason: "reason.unsolved", unresolved: true, now: now, into: &out)
        }
    }

    /// Opens one case per ticket at most; `counter` moves that counter's pad to the commitment.
    /// Its severity follows the rating on the ticket (or the unresolved mark) and its deadlines
    /// are counted now, on the site's calendar (`CaseDeadlines`): they travel in the event.
    mutating func openCase(ticket label: String, counter: Int?, reason: String?, unresolved: Bool = false, now: Date,
                           into out: inout KioskOutput) {
        guard let t = state.tickets[label], t.caseRef == nil else { return }
        let service = configuration.service(t.service)
        let severity = CaseDeadlines.severity(rating: t.rating, unresolved: unresolved, complaint: service?.isComplaint ?? false)
        var e = event(.caseOpened, now, counter: counter, ticket: t)
        e.caseRef = "R" + state.day.replacing("-", with: "") + "-" + String(cFormat: "%03d", state.casesToday + 1)
        e.deadline = CaseDeadlines.replyBy(service: service, openedAt: now, configuration: configuration)
        e.resolveBy = CaseDeadlines.resolveBy(service: service, severity: severity, openedAt: now, configuration: configuration)
        e.severity = severity
        e.rating = t.rating
        e.reason = reason
        record(e, into: &out)
    }
}
