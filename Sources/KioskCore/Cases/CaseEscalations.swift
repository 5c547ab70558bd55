#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskProtocol

/// When a case is escalated, as a pure function of its state, the share and the time: the one
/// definition used by kiosk-central's escalation task (which turns each reached threshold into
/// one `case.escalated` event) and by the case desk (overdue and at-risk marks).
///
/// Each deadline has two thresholds while it is unmet: `near` at `share` of the interval from
/// `openedAt` to the deadline (default 75 %), and `overdue` at the deadline itself.
/// - the reply deadline (`replyBy`) is unmet while the case is open and has no first reply;
/// - the resolution deadline (`resolveBy`, when the case has one) while the case is open
///   (received or handling: a reopened case is open again).
public enum CaseEscalations {
    /// The share of a deadline's interval after which it is "near", unless configured.
    public static let defaultShare = 0.75

    /// One threshold of a case: its level ("reply.near", … as in `CaseEscalation.all`), when it
    /// is reached, and the deadline it is about.
    public struct Threshold: Equatable, Sendable {
        public var level: String
        public var at: Date
        public var deadline: Date
    }

    /// Every threshold of the case's unmet deadlines, earliest first (reached or not, escalated or not).
    public static func thresholds(_ state: CaseState, share: Double = defaultShare) -> [Threshold] {
        guard state.isOpen else { return [] }
        var out: [Threshold] = []
        func add(_ name: String, _ deadline: Date) {
            let interval = max(0, deadline.timeIntervalSince(state.openedAt))
            out.append(Threshold(level: "\(name).near", at: state.openedAt.addingTimeInterval(interval * share), deadline: deadline))
            out.append(Threshold(level: "\(name).overdue", at: deadline, deadline: deadline))
        }
        if state.firstReplyAt == nil { add("reply", state.replyBy) }
        if let resolveBy = state.resolveBy { add("resolve", resolveBy) }
        return out.sorted { ($0.at, $0.level) < ($1.at, $1.level) }
    }

    /// Thresholds reached at `now` and not yet in the case's `escalations`, earliest first: the
    /// `case.escalated` events due. A case that passed both thresholds of a deadline while
    /// nobody looked gets both (near, then overdue), so the record says what happened.
    public static func due(_ state: CaseState, share: Double = defaultShare, now: Date) -> [Threshold] {
        thresholds(state, share: share).filter { $0.at <= now && !state.escalations.contains($0.level) }
    }

    /// When the case next needs the escalation task: its earliest threshold not yet escalated
    /// (in the past when one is due now); nil when none is left.
    public static func next(_ state: CaseState, share: Double = defaultShare) -> Date? {
        thresholds(state, share: share).first { !state.escalations.contains($0.level) }?.at
    }

    /// How urgent an open case is at `now`, by its nearest unmet deadline.
    public enum Urgency: String, Sendable, Equatable, Comparable {
        /// A deadline has passed.
        case overdue
        /// A deadline's near threshold has passed.
        case atRisk = "at-risk"
        /// Within its time (or no unmet deadline).
        case onTime = "on-time"

        public static func < (a: Urgency, b: Urgency) -> Bool {
            let order: [Urgency] = [.overdue, .atRisk, .onTime]
            return order.firstIndex(of: a)! < order.firstIndex(of: b)!
        }
    }

    /// The nearest unmet deadline of the case ("reply" or "resolve" and when), nil when none.
    public static func nearestDeadline(_ state: CaseState) -> (kind: String, at: Date)? {
        guard state.isOpen else { return nil }
        var candidates: [(kind: String, at: Date)] = []
        if state.firstReplyAt == nil { candidates.append(("reply", state.replyBy)) }
        if let r = state.resolveBy { candidates.append(("resolve", r)) }
        return candidates.min { $0.at < $1.at }
    }

    /// Overdue when any unmet deadline has passed, at risk when any near threshold has.
    public static func urgency(_ state: CaseState, share: Double = defaultShare, now: Date) -> Urgency {
        let reached = thresholds(state, share: share).filter { $0.at <= now }
        if reached.contains(where: { $0.level.hasSuffix(".overdue") }) { return .overdue }
        return reached.isEmpty ? .onTime : .atRisk
    }
}
