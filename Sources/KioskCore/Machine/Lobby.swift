#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Lobby screen state that is not worth persisting: what the resident is in the middle of.
public enum LobbyMode: Equatable, Sendable {
    case idle
    case choosing(priority: Bool, service: String?, since: Date)
    case ticket(label: String, since: Date)
    case notice(key: String, since: Date)
    /// Typing a case reference's 11 digits (`CaseLookup`).
    case lookup(digits: String, since: Date)
    /// A case found: its state (`KioskMachine.caseView`).
    case caseFound(ref: String, since: Date)
    /// No case has this reference; `triesLeft` 0: the lookup is now locked.
    case caseUnknown(ref: String, triesLeft: Int, since: Date)
    /// Too many unknown references in a row: no lookup until `until`.
    case lookupLocked(until: Date, since: Date)
}

/// One lobby terminal's screen: what its resident is doing, in which language.
public struct LobbyTerminal: Equatable, Sendable {
    public var mode: LobbyMode = .idle
    public var language: Language
    /// When a resident last pressed a key here (the language returns to the default after a pause).
    var lastKeyAt: Date?
    /// Unknown references typed in a row, and when a lookup locked by them opens again.
    var lookupFailures = 0
    var lookupLockedUntil: Date?

    var isChoosing: Bool { if case .choosing = mode { return true }; return false }
    var priority: Bool { if case .choosing(let p, _, _) = mode { return p }; return false }
}

/// The lobby: residents choose a service (priority with *), confirm, and get a ticket, printed
/// on their station's printer; `.` looks up a case by its reference (`CaseLookup`).
extension KioskMachine {
    mutating func lobbyKey(_ key: Key, terminal name: String, now: Date, into out: inout KioskOutput) {
        var t = lobbyTerminal(name)
        t.lastKeyAt = now
        if lookupKey(key, &t, now: now) {
            lobbies[name] = t
            return
        }
        switch (t.mode, key) {
        case (_, .digit(0)) where !t.isChoosing:
            t.language = t.language == .chinese ? .english : .chinese
        case (_, .digit(let d)):
            // A service key starts (or changes) a choice from any lobby screen.
            if let service = configuration.service(key: d) {
                t.mode = .choosing(priority: t.priority, service: service.id, since: now)
            }
        case (.choosing(let priority, let service, _), .star):
            t.mode = .choosing(priority: !priority, service: service, since: now)
        case (_, .star):
            t.mode = .choosing(priority: true, service: nil, since: now)
        case (_, .dot):
            startLookup(&t, now: now)
        case (.choosing(let priority, let service?, _), .enter):
            if let shown = issueTicket(service: service, priority: priority, terminal: name, language: t.language, now: now, into: &out) {
                t.mode = shown
            }
        case (.choosing, .backspace), (.ticket, .enter), (.ticket, .backspace), (.notice, _), (.caseFound, _), (.caseUnknown, _), (.lookupLocked, _):
            t.mode = .idle
        default:
            break
        }
        lobbies[name] = t
    }

    /// Issues a ticket and has it printed; returns what the lobby shows next (the ticket, or why
    /// there is none).
    private mutating func issueTicket(
        service id: String, priority: Bool, terminal: String, language: Language, now: Date, into out: inout KioskOutput
    ) -> LobbyMode? {
        guard let service = configuration.service(id) else { return nil }
        guard let number = state.nextNumber(for: service) else {
            return .notice(key: "lobby.numbers-exhausted", since: now)
        }
        let ahead = state.aheadOfNewTicket(service: id, priority: priority)
        let estimate = estimate(.newTicket(service: id, priority: priority), now: now)
        let digits = service.lastNumber > 999 ? 4 : 3
        let label = service.prefix + String(repeating: "0", count: max(0, digits - String(number).count)) + String(number)
        var e = KioskEvent(.ticketIssued, at: now, day: state.day)
        e.ticket = label
        e.service = id
        e.number = number
        e.priority = priority
        e.position = ahead + 1
        e.estimateLow = estimate.low
        e.estimateHigh = estimate.high
        e.estimateSeconds = Int((estimate.point * 60).rounded())
        record(e, into: &out)
        printTicket(e, terminal: terminal, language: language, into: &out)
        return .ticket(label: label, since: now)
    }

    /// Screens go back to the welcome after a pause; the language too, for the next resident.
    mutating func expireLobbies(now: Date) {
        let language = configuration.language
        for (name, terminal) in lobbies {
            switch terminal.mode {
            case .choosing(_, _, let since), .ticket(_, let since), .notice(_, let since):
                if elapsed(since, now) >= configuration.ticketScreenSeconds {
                    lobbies[name]?.mode = .idle
                    lobbies[name]?.language = language
                }
            case .lookup(_, let since), .caseFound(_, let since), .caseUnknown(_, _, let since), .lookupLocked(_, let since):
                if elapsed(since, now) >= KioskMachine.lookupScreenSeconds {
                    lobbies[name]?.mode = .idle
                    lobbies[name]?.language = language
                }
            case .idle:
                // A resident who switched language and walked away: the next one gets the default.
                if terminal.language != configuration.language, let last = terminal.lastKeyAt,
                   elapsed(last, now) >= configuration.ticketScreenSeconds {
                    lobbies[name]?.language = language
                }
            }
        }
    }
}
