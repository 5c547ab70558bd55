import Foundation
import KioskCore
import KioskProtocol

/// Which acts a person at the case desk may record on a case in a given state: pure, checked
/// under the case's row lock (so against the state the act will really be folded into). The
/// fold itself would shrug most of these off; the desk refuses them instead so the person learns
/// why nothing happened. Errors are `APIError`s: a code, what went wrong and what to do.
public enum CaseActRules {
    /// The event types the desk records (escalations are the centre's own).
    public static let deskTypes: Set<EventType> = [
        .caseAssigned, .caseContacted, .caseResolved, .caseClosed, .caseReopened, .caseAlertAcknowledged, .caseCallback,
    ]

    /// Nil when `e` may be recorded on `state`; else why not.
    public static func refusal(_ e: KioskEvent, on state: CaseState) -> APIError? {
        let ref = state.ref
        guard deskTypes.contains(e.type) else {
            return APIError.badRequest(
                "not-a-desk-act", "\(e.type.rawValue) is not something the case desk records",
                hint: "record one of \(deskTypes.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        if state.status == .closed && e.type != .caseReopened {
            return APIError(
                .conflict, "case-closed", "case \(ref) is closed (the resident gave a verdict)",
                hint: "reopen it first if there is more to do")
        }
        switch e.type {
        case .caseAssigned:
            guard let who = e.assignee?.trimmingCharacters(in: .whitespaces), !who.isEmpty else {
                return APIError.badRequest("no-assignee", "an assignment needs the handler's account name", hint: "choose a handler")
            }
            if who == state.assignee {
                return APIError(.conflict, "already-assigned", "case \(ref) is already assigned to \(who)", hint: "choose another handler")
            }
        case .caseContacted:
            guard e.channel != nil else {
                return APIError.badRequest(
                    "no-channel", "a reply needs the way it reached the resident",
                    hint: "choose \(CaseChannel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        case .caseResolved:
            guard let cause = e.rootCause?.trimmingCharacters(in: .whitespaces), !cause.isEmpty else {
                return APIError.badRequest(
                    "no-root-cause", "resolving case \(ref) needs a root cause", hint: "choose the root cause from the list")
            }
            if state.status == .resolved {
                return APIError(
                    .conflict, "already-resolved",
                    "case \(ref) was already resolved\(state.resolvedAt.map { " at \(WireTime.string($0))" } ?? "")",
                    hint: "record the resident's verdict, or reopen it if it is not settled")
            }
        case .caseClosed:
            guard e.satisfied != nil else {
                return APIError.badRequest(
                    "no-verdict", "closing case \(ref) needs the resident's verdict (satisfied or not)",
                    hint: "ask the resident whether they are satisfied with the handling")
            }
            guard state.status == .resolved else {
                return APIError(
                    .conflict, "not-resolved", "case \(ref) is not resolved yet, so there is no handling to judge",
                    hint: "resolve it (with a root cause) first")
            }
        case .caseReopened:
            guard state.status == .resolved || state.status == .closed else {
                return APIError(.conflict, "still-open", "case \(ref) is still open", hint: "there is nothing to reopen")
            }
        case .caseCallback:
            guard e.callback != nil else {
                return APIError.badRequest(
                    "no-callback-outcome", "a call-back needs how it went",
                    hint: "choose \(CallbackOutcome.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        case .caseAlertAcknowledged:
            guard let level = e.level, state.escalations.contains(level) else {
                return APIError.badRequest(
                    "no-such-alert", "case \(ref) has no escalation \(e.level ?? "(none given)")",
                    hint: "acknowledge one of: \(state.escalations.joined(separator: ", "))")
            }
            if state.acknowledged.contains(level) {
                return APIError(.conflict, "already-acknowledged", "the \(level) alert of case \(ref) is already acknowledged", hint: "nothing to do")
            }
        default:
            break
        }
        return nil
    }
}
