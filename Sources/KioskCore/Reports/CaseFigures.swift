#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The case figures for continuous improvement (收集 → 分析 → 处理 → 总结), computed by this one
/// function over case states: `kioskctl report`, the centre's report pages and the case desk's
/// figures page all call it, so they agree by construction. Pure: the states and `now` only.
///
/// Definitions (README, "Case figures"), each over the cases given:
/// - first reply within deadline = cases whose first reply was at or before `replyBy` ÷ opened;
/// - resolved within deadline = cases resolved or closed now whose resolution (`resolvedAt`, or
///   `closedAt` for a case closed without a separate resolution) was at or before `resolveBy`
///   (a case recorded without `resolveBy` has no resolution deadline to miss) ÷ opened;
/// - reopened = closed cases that were reopened at least once ÷ closed cases;
/// - satisfaction with handling = cases whose resident's latest verdict was "satisfied" ÷ cases
///   with a verdict (a "not satisfied" verdict reopens a case, so closed cases alone would
///   always be 100 %);
/// - median time to first reply (first reply − opened) and to resolution (resolution − opened),
///   wall time in seconds, over the cases that have one; the median of an even count is the mean
///   of the middle two;
/// - call-back reached within deadline = cases whose earliest reached call-back
///   (`case.callback` reached, recorded at the desk) was at or before `replyBy` ÷ opened (the
///   standards ask for a call-back on every case);
/// - overdue now = open cases (received or handling) past a deadline still unmet: the reply
///   deadline without a first reply, or the resolution deadline;
/// - by reason (`none` when the resident gave none) and by root cause (resolved and closed
///   cases; `none` when resolved without one), overall, per service, per month (of the
///   business day it opened) and per handler (assignee; unassigned cases only count overall).
public struct CaseFigures: Codable, Equatable, Sendable {
    public var all: CaseTally
    /// Per service id, ascending.
    public var byService: [CaseTally]
    /// Per month "YYYY-MM" of the business day a case opened, ascending.
    public var byMonth: [CaseTally]
    /// Per handler (account name of the assignee), ascending.
    public var byHandler: [CaseTally]

    public init(all: CaseTally, byService: [CaseTally], byMonth: [CaseTally], byHandler: [CaseTally]) {
        self.all = all; self.byService = byService; self.byMonth = byMonth; self.byHandler = byHandler
    }

    /// The figures of `cases` as of `now`.
    public init(cases: [CaseState], now: Date) {
        func grouped(_ key: (CaseState) -> String?) -> [CaseTally] {
            Dictionary(grouping: cases.compactMap { c in key(c).map { ($0, c) } }, by: \.0)
                .sorted { $0.key < $1.key }
                .map { CaseTally(id: $0.key, cases: $0.value.map(\.1), now: now) }
        }
        self.init(all: CaseTally(id: "all", cases: cases, now: now),
                  byService: grouped(\.service),
                  byMonth: grouped { String($0.day.prefix(7)) },
                  byHandler: grouped { $0.assignee.flatMap { $0.isEmpty ? nil : $0 } })
    }

    /// Every reason and root cause key that occurs, in order of how often (most first, then by key);
    /// `keys(_:)` orders any such counts the same way.
    public var reasonKeys: [String] { Self.keys(all.reasons) }
    public var rootCauseKeys: [String] { Self.keys(all.rootCauses) }

    public static func keys(_ counts: [String: Int]) -> [String] {
        counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map(\.key)
    }
}

/// The case figures of one group of cases (all, a service, a month, a handler).
public struct CaseTally: Codable, Equatable, Sendable {
    /// "all", the service id, the month "YYYY-MM" or the handler.
    public var id: String
    public var opened: Int
    /// With a first reply / with it at or before the reply deadline.
    public var replied: Int
    public var repliedInTime: Int
    /// Resolved or closed now / with the resolution at or before the resolution deadline.
    public var resolved: Int
    public var resolvedInTime: Int
    public var closed: Int
    /// Closed cases that were reopened at least once.
    public var closedAfterReopening: Int
    /// Cases with a verdict from the resident / whose latest verdict is "satisfied".
    public var verdicts: Int
    public var satisfied: Int
    /// Received or handling now / and past a deadline still unmet.
    public var open: Int
    public var overdue: Int
    /// With a reached call-back at or before the reply deadline.
    public var callbackReachedInTime: Int
    /// repliedInTime ÷ opened.
    public var repliedInTimeRate: Double?
    /// callbackReachedInTime ÷ opened.
    public var callbackReachedInTimeRate: Double?
    /// resolvedInTime ÷ opened.
    public var resolvedInTimeRate: Double?
    /// closedAfterReopening ÷ closed.
    public var reopenedRate: Double?
    /// satisfied ÷ verdicts.
    public var satisfactionRate: Double?
    public var medianSecondsToFirstReply: Double?
    public var medianSecondsToResolution: Double?
    /// Reason key → cases ("none": no reason given).
    public var reasons: [String: Int]
    /// Root cause key → resolved or closed cases ("none": resolved without one).
    public var rootCauses: [String: Int]

    public init(id: String, cases: [CaseState], now: Date) {
        self.id = id
        opened = cases.count
        var replyTimes: [Double] = [], resolutionTimes: [Double] = []
        var replied = 0, repliedInTime = 0, resolved = 0, resolvedInTime = 0, closed = 0, reopened = 0
        var verdicts = 0, satisfied = 0, open = 0, overdue = 0, callbacks = 0
        var reasons: [String: Int] = [:], rootCauses: [String: Int] = [:]
        for c in cases {
            reasons[c.reason ?? "none", default: 0] += 1
            if let first = c.firstReplyAt {
                replied += 1
                if first <= c.replyBy { repliedInTime += 1 }
                replyTimes.append(first.timeIntervalSince(c.openedAt))
            }
            if let reached = c.callbackReachedAt, reached <= c.replyBy { callbacks += 1 }
            if let at = c.resolutionTime {
                resolved += 1
                if c.resolveBy.map({ at <= $0 }) ?? true { resolvedInTime += 1 }
                resolutionTimes.append(at.timeIntervalSince(c.openedAt))
                rootCauses[c.rootCause ?? "none", default: 0] += 1
            }
            if c.status == .closed {
                closed += 1
                if c.reopenCount > 0 { reopened += 1 }
            }
            if let verdict = c.satisfied {
                verdicts += 1
                if verdict { satisfied += 1 }
            }
            if c.isOpen {
                open += 1
                if c.isOverdue(now: now) { overdue += 1 }
            }
        }
        self.replied = replied; self.repliedInTime = repliedInTime
        self.resolved = resolved; self.resolvedInTime = resolvedInTime
        self.closed = closed; closedAfterReopening = reopened
        self.verdicts = verdicts; self.satisfied = satisfied
        self.open = open; self.overdue = overdue
        repliedInTimeRate = ReportMath.ratio(repliedInTime, opened)
        callbackReachedInTime = callbacks
        callbackReachedInTimeRate = ReportMath.ratio(callbacks, opened)
        resolvedInTimeRate = ReportMath.ratio(resolvedInTime, opened)
        reopenedRate = ReportMath.ratio(reopened, closed)
        satisfactionRate = ReportMath.ratio(satisfied, verdicts)
        medianSecondsToFirstReply = ReportMath.median(replyTimes)
        medianSecondsToResolution = ReportMath.median(resolutionTimes)
        self.reasons = reasons; self.rootCauses = rootCauses
    }

    // Optional figures are written as null, never omitted (as everywhere in `Report`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(opened, forKey: .opened)
        try c.encode(replied, forKey: .replied)
        try c.encode(repliedInTime, forKey: .repliedInTime)
        try c.encode(resolved, forKey: .resolved)
        try c.encode(resolvedInTime, forKey: .resolvedInTime)
        try c.encode(closed, forKey: .closed)
        try c.encode(closedAfterReopening, forKey: .closedAfterReopening)
        try c.encode(verdicts, forKey: .verdicts)
        try c.encode(satisfied, forKey: .satisfied)
        try c.encode(open, forKey: .open)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(repliedInTimeRate, forKey: .repliedInTimeRate)
        try c.encode(resolvedInTimeRate, forKey: .resolvedInTimeRate)
        try c.encode(reopenedRate, forKey: .reopenedRate)
        try c.encode(satisfactionRate, forKey: .satisfactionRate)
        try c.encode(medianSecondsToFirstReply, forKey: .medianSecondsToFirstReply)
        try c.encode(medianSecondsToResolution, forKey: .medianSecondsToResolution)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(callbackReachedInTime, forKey: .callbackReachedInTime)
        try c.encode(callbackReachedInTimeRate, forKey: .callbackReachedInTimeRate)
        try c.encode(rootCauses, forKey: .rootCauses)
    }
}

extension CaseState {
    /// When the case was resolved: `resolvedAt`, or `closedAt` for a case closed without a
    /// separate resolution; nil while it is open (a reopening clears both).
    public var resolutionTime: Date? {
        switch status {
        case .resolved, .closed: resolvedAt ?? closedAt
        case .received, .handling: nil
        }
    }

    /// Open and past a deadline still unmet: the reply deadline with no first reply yet, or the
    /// resolution deadline.
    public func isOverdue(now: Date) -> Bool {
        guard isOpen else { return false }
        if firstReplyAt == nil && now > replyBy { return true }
        return resolveBy.map { now > $0 } ?? false
    }
}

extension ReportMath {
    /// The middle value of the sorted values (the mean of the two middle ones for an even count).
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
