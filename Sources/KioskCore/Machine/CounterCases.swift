#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An escalation a counter shows until someone acknowledges it: "跟进单 R… 即将超时 / 已超时".
public struct CaseAlert: Equatable, Sendable {
    public var ref: String
    /// The unacknowledged levels still about an unmet deadline ("reply.near", "resolve.overdue").
    public var levels: [String]
    /// The deadline they are about has passed (an `.overdue` level), else it is near.
    public var overdue: Bool
    /// Which deadline the most urgent level is about: the first reply, else the resolution.
    public var reply: Bool
    public var deadline: Date
}

/// Cases at the counter. The case opened for the visit just served there (by key 8 at finish or
/// by the pad's low rating) can be answered or resolved on the spot with the case key
/// (`CounterKeys`, 7): 1 records the first reply (`case.contacted`, channel counter), 2 asks for
/// the root cause and resolves it (`case.resolved`). The centre's escalations of this site's
/// cases show at every staffed counter until one acknowledges them (3, or the case key alone
/// when the counter has no case) with `case.alert-acknowledged`; the acknowledgement is folded
/// into `caseView` at once, so the alert goes before the centre's state comes back.
extension KioskMachine {
    /// The case of the last visit served at counter `n`, while no other ticket has been called there.
    public func counterCase(_ n: Int) -> CaseView? {
        let atCounter = state.order.compactMap { state.tickets[$0] }.filter { $0.counter == n && $0.lastCalledAt != nil }
        guard let last = atCounter.max(by: { $0.lastCalledAt! < $1.lastCalledAt! }), last.status == .finished,
              let ref = last.caseRef else { return nil }
        return caseView(ref)
    }

    /// Escalations to show at counters: the most urgent first (overdue, then the earliest deadline).
    public var caseAlerts: [CaseAlert] {
        var alerts: [CaseAlert] = []
        for ref in caseBoard.keys {
            guard let s = caseView(ref)?.state else { continue }
            // Only deadlines still unmet: a replied case's reply alerts are moot, a resolved one's all are.
            let levels = s.unacknowledgedEscalations.filter {
                ($0.hasPrefix("reply.") && s.firstReplyAt == nil && s.isOpen) || ($0.hasPrefix("resolve.") && s.isOpen)
            }
            guard !levels.isEmpty else { continue }
            let overdue = levels.contains { $0.hasSuffix(".overdue") }
            let urgent = levels.first { $0.hasSuffix(".overdue") } ?? levels[0]
            let reply = urgent.hasPrefix("reply.")
            let deadline = reply ? s.replyBy : (s.resolveBy ?? s.replyBy)
            alerts.append(CaseAlert(ref: ref, levels: levels, overdue: overdue, reply: reply, deadline: deadline))
        }
        return alerts.sorted { ($0.overdue ? 0 : 1, $0.deadline, $0.ref) < ($1.overdue ? 0 : 1, $1.deadline, $1.ref) }
    }

    /// The case key: the counter's case's choices, or the first alert acknowledged at once.
    mutating func caseKey(counter n: Int, now: Date, into out: inout KioskOutput) {
        if let view = counterCase(n), view.state.isOpen {
            counterUI[n]?.entry = .caseAction(ref: view.state.ref)
        } else if let alert = caseAlerts.first {
            acknowledge(alert, counter: n, now: now, into: &out)
        } else {
            notice(n, "counter.notice.no-case", now: now)
        }
    }

    /// A key while the case choices (or the root causes) are up. They come before the rating pad:
    /// staff asked for them, and the pad after a case only counts presses as misuse.
    mutating func caseEntryKey(_ key: Key, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let entry = counterUI[n]?.entry else { return }
        counterUI[n]?.entry = .none
        // Logged out meanwhile (an operator's command): nobody to act in the case's name.
        guard state.counters[n]?.staff != nil else { return }
        switch (entry, key) {
        case (.caseAction(let ref), .digit(1)):
            guard let s = caseView(ref)?.state, s.isOpen, s.firstReplyAt == nil else { return notice(n, "counter.notice.case-replied-already", ["ref": ref], now: now) }
            recordReply(s, counter: n, now: now, into: &out)
            notice(n, "counter.notice.case-replied", ["ref": ref], now: now)
        case (.caseAction(let ref), .digit(2)):
            guard caseView(ref)?.state.isOpen == true else { return }
            counterUI[n]?.entry = .rootCause(ref: ref)
        case (.caseAction, .digit(3)):
            guard let alert = caseAlerts.first else { return notice(n, "counter.notice.no-case", now: now) }
            acknowledge(alert, counter: n, now: now, into: &out)
        case (.rootCause(let ref), .digit(let d)) where d >= 1 && d <= configuration.rootCauses.count:
            guard let s = caseView(ref)?.state, s.isOpen else { return }
            // Resolved with the resident at the counter: that is also the first reply, if none came before.
            if s.firstReplyAt == nil { recordReply(s, counter: n, now: now, into: &out) }
            var e = caseEvent(.caseResolved, s, counter: n, now: now)
            e.rootCause = configuration.rootCauses[d - 1]
            record(e, into: &out)
            notice(n, "counter.notice.case-resolved", ["ref": ref], now: now)
        case (.rootCause(let ref), .digit):
            counterUI[n]?.entry = .rootCause(ref: ref)
        case (.rootCause(let ref), .backspace):
            counterUI[n]?.entry = .caseAction(ref: ref)
        default:
            break
        }
    }

    private mutating func recordReply(_ s: CaseState, counter n: Int, now: Date, into out: inout KioskOutput) {
        var e = caseEvent(.caseContacted, s, counter: n, now: now)
        e.channel = .counter
        record(e, into: &out)
    }

    /// One `case.alert-acknowledged` per level the alert shows.
    private mutating func acknowledge(_ alert: CaseAlert, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let s = caseView(alert.ref)?.state else { return }
        for level in alert.levels {
            var e = caseEvent(.caseAlertAcknowledged, s, counter: n, now: now)
            e.level = level
            record(e, into: &out)
        }
    }

    /// A case event at counter `n`: its staff, the counter's station, the case and its visit.
    private func caseEvent(_ type: EventType, _ s: CaseState, counter n: Int, now: Date) -> KioskEvent {
        var e = event(type, now, counter: n)
        e.caseRef = s.ref
        e.ticket = s.ticket
        e.service = s.service
        e.station = configuration.stations.first { $0.role == .counter(n) }?.name
        return e
    }
}
