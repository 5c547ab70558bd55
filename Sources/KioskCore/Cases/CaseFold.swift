#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskProtocol

/// The one definition of a case's state: a fold over its case events, in the order the centre
/// applied them. kiosk-central folds every case event it stores (the kiosk's, the desk's and
/// its own escalations) with this; the kiosk folds its own for cases the centre has not sent
/// back yet. Events about other things, or about another reference, change nothing.
///
/// Rules that make the order of two people acting at once harmless:
/// - the first reply is the earliest `case.contacted` by its own time, whichever arrives first;
/// - a resolution or a verdict on a case already closed changes nothing (it stays in the
///   timeline); a `case.reopened` or a verdict of "not satisfied" reopens it;
/// - an escalation or an acknowledgement is a set member: applying it twice is applying it once.
extension CaseState {
    /// The state a `case.opened` event starts; nil for any other event or one without a
    /// reference. `site` and `kiosk` are the centre's to fill in.
    public init?(opened e: KioskEvent, site: String? = nil, kiosk: String? = nil) {
        guard e.type == .caseOpened, let ref = e.caseRef else { return nil }
        self.init(ref: ref, day: e.day, severity: e.severity ?? .serious, openedAt: e.time,
                  replyBy: e.deadline ?? e.time.addingTimeInterval(48 * 3600))
        self.site = site
        self.kiosk = kiosk
        ticket = e.ticket
        service = e.service
        counter = e.counter
        servedBy = e.staff
        rating = e.rating
        reason = e.reason
        resolveBy = e.resolveBy
        version = 1
    }

    /// Applies one event about this case. Returns whether the state changed.
    @discardableResult
    public mutating func apply(_ e: KioskEvent) -> Bool {
        guard e.caseRef == ref else { return false }
        let before = self
        switch e.type {
        case .caseAssigned:
            guard status != .closed, let who = e.assignee, !who.isEmpty else { break }
            assignee = who
            if status == .received { status = .handling }
        case .caseContacted:
            if firstReplyAt.map({ e.time < $0 }) ?? true {
                firstReplyAt = e.time
                firstReplyChannel = e.channel?.rawValue
            }
            if status == .received { status = .handling }
        case .caseResolved:
            guard status == .received || status == .handling else { break }
            status = .resolved
            resolvedAt = e.time
            rootCause = e.rootCause ?? rootCause
        case .caseClosed:
            guard status != .closed else { break }
            if e.satisfied == false {
                reopen()
                satisfied = false
            } else {
                status = .closed
                closedAt = e.time
                satisfied = e.satisfied ?? true
            }
        case .caseReopened:
            guard status == .resolved || status == .closed else { break }
            reopen()
        case .caseEscalated:
            if let level = e.level, !escalations.contains(level) { escalations.append(level) }
        case .caseAlertAcknowledged:
            if let level = e.level, escalations.contains(level), !acknowledged.contains(level) { acknowledged.append(level) }
        case .caseContactGiven:
            // Only the masked form is ever in an event; a later number replaces an earlier one.
            guard let masked = e.contact, !masked.isEmpty else { break }
            contact = masked
            contactErased = nil
        case .caseCallback:
            // The earliest reached call counts, whichever is recorded first.
            guard e.callback == .reached, callbackReachedAt.map({ e.time < $0 }) ?? true else { break }
            callbackReachedAt = e.time
        case .caseContactErased:
            guard contact != nil else { break }
            contactErased = true
        default:
            return false
        }
        guard self != before else { return false }
        updatedAt = max(updatedAt, e.time)
        version += 1
        return true
    }

    private mutating func reopen() {
        status = .handling
        reopenCount += 1
        resolvedAt = nil
        closedAt = nil
    }

    /// Folds a case's events (its `case.opened` first, wherever it is in the list) in order.
    public static func fold(_ events: [KioskEvent]) -> CaseState? {
        guard let opened = events.first(where: { $0.type == .caseOpened }), var state = CaseState(opened: opened) else {
            return nil
        }
        for e in events where e.type != .caseOpened { state.apply(e) }
        return state
    }
}

extension EventType {
    /// Event types that belong to a case's timeline (and reach `CaseState.apply`).
    public var isCaseEvent: Bool { rawValue.hasPrefix("case.") }
}

/// The case vocabulary is the protocol's (both sides fold the same states): see KioskProtocol.
public typealias CaseState = KioskProtocol.CaseState
public typealias CaseStatus = KioskProtocol.CaseStatus
public typealias CaseSeverity = KioskProtocol.CaseSeverity
public typealias CaseChannel = KioskProtocol.CaseChannel
public typealias CallbackOutcome = KioskProtocol.CallbackOutcome
