#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the kiosk knows of a case: the centre's state as of its last pull (`asOf`), with this
/// kiosk's own later acts folded on top; or, for a case opened here that the centre has not sent
/// back yet, the fold of this kiosk's own events (`asOf` nil).
public struct CaseView: Equatable, Sendable {
    public var state: CaseState
    public var asOf: Date?
}

/// The lobby lookup: `.` starts it, the resident types the 11 digits of the reference on the slip
/// (R20261203-001 → 20261203001), Backspace corrects, Enter looks it up. Three unknown
/// references in a row lock the lookup of that terminal for a minute.
extension KioskMachine {
    /// Unknown references in a row before the lookup locks, and for how long it stays locked.
    public static let lookupTries = 3
    public static let lookupLockSeconds = 60
    /// How long a lookup screen stays without a key (typing 11 digits takes longer than a ticket).
    public static let lookupScreenSeconds = 30

    /// The case behind `ref`, or nil when this kiosk has never heard of it.
    public func caseView(_ ref: String) -> CaseView? {
        let own = caseEvents[ref] ?? []
        guard var state = caseBoard[ref] else {
            return CaseState.fold(own).map { CaseView(state: $0, asOf: nil) }
        }
        // This kiosk's acts the pull may not contain yet: everything since the pull, and replies
        // and acknowledgements whenever they were (applying one twice changes nothing).
        let asOf = caseBoardAsOf ?? .distantPast
        for e in own where e.type != .caseOpened {
            if e.time >= asOf || e.type == .caseContacted || e.type == .caseAlertAcknowledged { state.apply(e) }
        }
        return CaseView(state: state, asOf: caseBoardAsOf)
    }

    /// "20261203001" → "R20261203-001".
    public static func reference(digits: String) -> String? {
        guard digits.count == 11, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return "R" + digits.prefix(8) + "-" + digits.suffix(3)
    }

    /// Keys while a lookup screen is up; false when the key is not the lookup's (a service key
    /// on a result screen starts a ticket as from any screen).
    mutating func lookupKey(_ key: Key, _ t: inout LobbyTerminal, now: Date) -> Bool {
        switch (t.mode, key) {
        case (.lookup(let digits, _), .digit(let d)):
            t.mode = .lookup(digits: digits.count < 11 ? digits + String(d) : digits, since: now)
        case (.lookup(let digits, _), .backspace):
            t.mode = digits.isEmpty ? .idle : .lookup(digits: String(digits.dropLast()), since: now)
        case (.lookup(let digits, _), .enter):
            if let ref = KioskMachine.reference(digits: digits) { look(up: ref, &t, now: now) } else { t.mode = .lookup(digits: digits, since: now) }
        case (.lookup(let digits, _), _):
            t.mode = .lookup(digits: digits, since: now)
        case (.caseFound, .enter), (.caseFound, .backspace), (.caseUnknown, .enter), (.caseUnknown, .backspace),
             (.lookupLocked, .enter), (.lookupLocked, .backspace):
            t.mode = .idle
        default:
            return false
        }
        return true
    }

    /// `.` from any lobby screen: a new lookup, unless it is locked.
    func startLookup(_ t: inout LobbyTerminal, now: Date) {
        if let until = t.lookupLockedUntil, now < until {
            t.mode = .lookupLocked(until: until, since: now)
            return
        }
        t.lookupLockedUntil = nil
        t.mode = .lookup(digits: "", since: now)
    }

    private func look(up ref: String, _ t: inout LobbyTerminal, now: Date) {
        if caseView(ref) != nil {
            t.lookupFailures = 0
            t.mode = .caseFound(ref: ref, since: now)
            return
        }
        t.lookupFailures += 1
        let left = KioskMachine.lookupTries - t.lookupFailures
        if left <= 0 {
            t.lookupFailures = 0
            t.lookupLockedUntil = now.addingTimeInterval(TimeInterval(KioskMachine.lookupLockSeconds))
        }
        t.mode = .caseUnknown(ref: ref, triesLeft: max(0, left), since: now)
    }
}
