#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A staff member's half-typed entry at a counter.
public enum CounterEntry: Equatable, Sendable {
    case none
    case staffNumber(String)
    case pin(staff: String, digits: String)
    case transfer
    /// The case key's choices for the counter's case (`CounterCases`).
    case caseAction(ref: String)
    /// Resolving the case on the spot: a digit picks the root cause.
    case rootCause(ref: String)

    /// Staff asked for these: their digits come before the rating pad's.
    var isCaseChoice: Bool {
        switch self {
        case .caseAction, .rootCause: return true
        default: return false
        }
    }
}

public struct CounterUI: Equatable, Sendable {
    public var entry: CounterEntry = .none
    public var unresolvedMarked = false
    public var notice: (key: String, arguments: [String: String], since: Date)?
    /// Why this counter's last commitment slip did not print (a `printer.problem.*` suffix), until
    /// one prints again: staff write the slip by hand meanwhile.
    public var slipProblem: String?
    /// The call-back number being typed on the pad (`PadState.awaitingContact`) and when the last
    /// key came: held here only, never recorded; shown masked (`ContactNumber.typing`).
    public var contactDigits = ""
    public var contactTypedAt: Date?
    public static func == (a: CounterUI, b: CounterUI) -> Bool {
        a.entry == b.entry && a.contactDigits == b.contactDigits && a.contactTypedAt == b.contactTypedAt && a.unresolvedMarked == b.unresolvedMarked && a.slipProblem == b.slipProblem && a.notice?.key == b.notice?.key
            && a.notice?.arguments == b.notice?.arguments && a.notice?.since == b.notice?.since
    }
}

/// A counter's keypad: the rating pad first (it shares the keypad), then a half-typed entry
/// (login, transfer), then the key's action from `CounterKeys`.
extension KioskMachine {
    mutating func notice(_ n: Int, _ key: String, _ arguments: [String: String] = [:], now: Date) {
        counterUI[n]?.notice = (key, arguments, now)
    }

    /// Notices go after five seconds.
    mutating func expireCounterNotices(now: Date) {
        for (n, ui) in counterUI {
            if let notice = ui.notice, elapsed(notice.since, now) >= 5 { counterUI[n]?.notice = nil }
        }
    }

    mutating func counterKey(_ key: Key, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let counter = state.counters[n], let ui = counterUI[n] else { return }
        if ui.entry.isCaseChoice { return caseEntryKey(key, counter: n, now: now, into: &out) }
        // A call-back number being asked takes every key (digits, Backspace, Enter).
        if contactTakes(key, counter: n, now: now, into: &out) { return }
        // The rating pad shares the keypad: while it asks, its digits answer it.
        if case .digit(let d) = key, padTakes(digit: d, counter: n, now: now, into: &out) { return }
        if typeEntry(key, counter: n, now: now, into: &out) { return }
        guard counter.staff != nil else {
            if key == CounterKeys.logIn { counterUI[n]?.entry = .staffNumber("") } else { notice(n, "counter.notice.login-first", now: now) }
            return
        }
        guard let action = CounterKeys.action(for: key) else { return }
        perform(action, counter: n, now: now, into: &out)
    }

    /// Carries on a half-typed staff number, PIN or transfer; true when the key went there.
    private mutating func typeEntry(_ key: Key, counter n: Int, now: Date, into out: inout KioskOutput) -> Bool {
        guard var ui = counterUI[n] else { return false }
        switch ui.entry {
        case .none, .caseAction, .rootCause:
            return false
        case .staffNumber(let digits):
            switch key {
            case .digit(let d) where digits.count < 8: ui.entry = .staffNumber(digits + String(d))
            case .backspace: ui.entry = digits.isEmpty ? .none : .staffNumber(String(digits.dropLast()))
            case .enter where !digits.isEmpty: ui.entry = .pin(staff: digits, digits: "")
            default: break
            }
            counterUI[n] = ui
        case .pin(let staff, let digits):
            switch key {
            case .digit(let d) where digits.count < 12: ui.entry = .pin(staff: staff, digits: digits + String(d))
            case .backspace: ui.entry = digits.isEmpty ? .staffNumber(staff) : .pin(staff: staff, digits: String(digits.dropLast()))
            case .enter:
                ui.entry = .none
                counterUI[n] = ui
                logIn(staff: staff, pin: digits, counter: n, now: now, into: &out)
                return true
            default: break
            }
            counterUI[n] = ui
        case .transfer:
            ui.entry = .none
            counterUI[n] = ui
            if case .digit(let d) = key { transfer(counter: n, toKey: d, now: now, into: &out) }
        }
        return true
    }

    /// What a logged-in counter's key does (`CounterKeys.loggedIn`).
    private mutating func perform(_ action: CounterAction, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let counter = state.counters[n] else { return }
        let current = counter.current.flatMap { state.tickets[$0] }
        switch action {
        case .call:
            if let t = current {
                notice(n, t.status == .serving ? "counter.notice.finish-first" : "counter.notice.start-first", ["ticket": t.label], now: now)
            } else if counter.status != .open {
                notice(n, "counter.notice.paused", now: now)
            } else if let next = CallOrder.next(for: counter, state: state, configuration: configuration, now: now) {
                record(event(.ticketCalled, now, counter: n, ticket: next), into: &out)
                out.announcements.append(Announcement(ticket: next.label, counter: n))
                counterUI[n]?.unresolvedMarked = false
            } else {
                notice(n, "counter.notice.nobody-waiting", now: now)
            }
        case .recall:
            guard let t = current, t.status == .called else { return notice(n, "counter.notice.nothing-to-recall", now: now) }
            record(event(.ticketRecalled, now, counter: n, ticket: t), into: &out)
            out.announcements.append(Announcement(ticket: t.label, counter: n))
        case .noShow:
            guard let t = current, t.status == .called else { return notice(n, "counter.notice.nothing-to-recall", now: now) }
            if t.recalls < configuration.recallsBeforeNoShow {
                notice(n, "counter.notice.recall-first", ["count": String(configuration.recallsBeforeNoShow - t.recalls)], now: now)
            } else {
                record(event(.ticketNoShow, now, counter: n, ticket: t), into: &out)
            }
        case .transfer:
            if current != nil { counterUI[n]?.entry = .transfer } else { notice(n, "counter.notice.no-ticket", now: now) }
        case .startFinish:
            guard let t = current else { return notice(n, "counter.notice.no-ticket", now: now) }
            if t.status == .called {
                record(event(.serviceStarted, now, counter: n, ticket: t), into: &out)
            } else {
                finish(t, counter: n, now: now, into: &out)
            }
        case .care:
            acknowledgeCare(counter: n, now: now, into: &out)
        case .followUp:
            caseKey(counter: n, now: now, into: &out)
        case .unresolved:
            markUnresolved(current, counter: n, now: now)
        case .pause:
            record(event(counter.status == .open ? .counterPaused : .counterOpened, now, counter: n), into: &out)
        case .weather:
            let all = Weather.allCases
            setWeather(all[(all.firstIndex(of: state.weather)! + 1) % all.count], counter: n, now: now, into: &out)
        case .logOut:
            if let t = current { return notice(n, "counter.notice.finish-first", ["ticket": t.label], now: now) }
            record(event(.staffLoggedOut, now, counter: n), into: &out)
            record(event(.counterClosed, now, counter: n), into: &out)
        }
    }

    private mutating func logIn(staff: String, pin: String, counter n: Int, now: Date, into out: inout KioskOutput) {
        guard let member = configuration.staffMember(staff), PINHash.verify(pin: pin, against: member.pinHash) else {
            var e = event(.staffLoginFailed, now, counter: n)
            e.staff = staff
            record(e, into: &out)
            return notice(n, "counter.notice.login-failed", now: now)
        }
        if let other = state.counters.values.first(where: { $0.staff == staff && $0.number != n }) {
            return notice(n, "counter.notice.logged-in-elsewhere", ["counter": String(other.number)], now: now)
        }
        var e = event(.staffLoggedIn, now, counter: n)
        e.staff = staff
        record(e, into: &out)
        record(event(.counterOpened, now, counter: n), into: &out)
    }

    /// Sends the current ticket to another service's line, keeping its place (issue time).
    private mutating func transfer(counter n: Int, toKey key: Int, now: Date, into out: inout KioskOutput) {
        guard let label = state.counters[n]?.current, let t = state.tickets[label] else { return }
        guard let target = configuration.service(key: key), target.id != t.service else {
            return notice(n, "counter.notice.bad-transfer", now: now)
        }
        var e = event(.ticketTransferred, now, counter: n, ticket: t)
        e.fromService = t.service
        e.service = target.id
        record(e, into: &out)
    }
}
