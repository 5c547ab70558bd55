#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A follow-up case as both sides know it: the result of folding its case events
/// (`case.opened`, `case.assigned`, `case.contacted`, `case.resolved`, `case.closed`,
/// `case.reopened`, `case.escalated`, `case.alert-acknowledged`) in the order the centre applied
/// them. The fold is `CaseState.apply` in KioskCore, the one definition used by kiosk-central
/// (which holds the authoritative state) and by the kiosk (for cases it opened and has not yet
/// pulled back). Kiosks pull their site's states with `GET /v1/cases`.
///
/// Times travel as ISO 8601 strings, like every other time of the protocol.
public struct CaseState: Codable, Equatable, Sendable {
    /// The reference printed on the pad and the slip ("R20261203-001").
    public var ref: String
    /// Site and kiosk that opened it (the centre fills them in; nil in a kiosk's own fold).
    public var site: String?
    public var kiosk: String?
    /// Business day the case was opened on.
    public var day: String
    public var ticket: String?
    public var service: String?
    /// The counter and staff member (number) of the visit behind the case.
    public var counter: Int?
    public var servedBy: String?
    /// The rating that opened it (1 非常满意 … 4 不满意), nil for a visit marked unresolved.
    public var rating: Int?
    /// What the resident reported (a `reason.*` catalog key).
    public var reason: String?
    public var severity: CaseSeverity
    public var openedAt: Date
    /// First reply promised by (the deadline printed on the pad and slip).
    public var replyBy: Date
    /// Resolution due by (from the service's deadline for the severity and the site's calendar).
    public var resolveBy: Date?
    public var status: CaseStatus
    /// Account name of the handler responsible (first-person responsibility).
    public var assignee: String?
    public var firstReplyAt: Date?
    /// How the first reply reached the resident: phone, visit, sms or counter.
    public var firstReplyChannel: String?
    public var resolvedAt: Date?
    /// Root cause chosen when resolving (a `cause.*` key of the configured list).
    public var rootCause: String?
    public var closedAt: Date?
    /// The resident's verdict on the handling, given when the case was closed.
    public var satisfied: Bool?
    /// Times the case was reopened (by staff, or by a resident not satisfied at closing).
    public var reopenCount: Int
    /// Escalation thresholds reached ("reply.near", "reply.overdue", "resolve.near",
    /// "resolve.overdue"), in the order reached; `acknowledged` lists those a counter has
    /// acknowledged (a counter shows the others until someone does).
    public var escalations: [String]
    public var acknowledged: [String]
    /// The resident's call-back number, masked ("138****5678"): the full number is never part of
    /// a state (the desk's case page decrypts it for a handler of the site). `contactErased`: the
    /// centre erased the full number (retention, or on request); the masked form stays.
    public var contact: String?
    public var contactErased: Bool?
    /// The earliest call-back that reached the resident (`case.callback` reached).
    public var callbackReachedAt: Date?
    /// Time of the last event applied, and how many events were applied.
    public var updatedAt: Date
    public var version: Int

    public init(ref: String, day: String, severity: CaseSeverity, openedAt: Date, replyBy: Date) {
        self.ref = ref; self.day = day; self.severity = severity
        self.openedAt = openedAt; self.replyBy = replyBy
        status = .received; reopenCount = 0; escalations = []; acknowledged = []
        updatedAt = openedAt; version = 0
    }

    /// Escalations reached and not yet acknowledged at a counter.
    public var unacknowledgedEscalations: [String] { escalations.filter { !acknowledged.contains($0) } }

    /// Still needs work: not resolved and not closed.
    public var isOpen: Bool { status == .received || status == .handling }

    enum CodingKeys: String, CodingKey {
        case ref, site, kiosk, day, ticket, service, counter, servedBy, rating, reason, severity, openedAt, replyBy
        case resolveBy, status, assignee, firstReplyAt, firstReplyChannel, resolvedAt, rootCause, closedAt
        case satisfied, reopenCount, escalations, acknowledged, updatedAt, version, contact, contactErased, callbackReachedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func time(_ key: CodingKeys) throws -> Date {
            let text = try c.decode(String.self, forKey: key)
            guard let d = WireTime.parse(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "'\(text)' is not an ISO 8601 time")
            }
            return d
        }
        func optionalTime(_ key: CodingKeys) throws -> Date? {
            try c.contains(key) && !c.decodeNil(forKey: key) ? time(key) : nil
        }
        ref = try c.decode(String.self, forKey: .ref)
        site = try c.decodeIfPresent(String.self, forKey: .site)
        kiosk = try c.decodeIfPresent(String.self, forKey: .kiosk)
        day = try c.decode(String.self, forKey: .day)
        ticket = try c.decodeIfPresent(String.self, forKey: .ticket)
        service = try c.decodeIfPresent(String.self, forKey: .service)
        counter = try c.decodeIfPresent(Int.self, forKey: .counter)
        servedBy = try c.decodeIfPresent(String.self, forKey: .servedBy)
        rating = try c.decodeIfPresent(Int.self, forKey: .rating)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        severity = try c.decode(CaseSeverity.self, forKey: .severity)
        openedAt = try time(.openedAt)
        replyBy = try time(.replyBy)
        resolveBy = try optionalTime(.resolveBy)
        status = try c.decode(CaseStatus.self, forKey: .status)
        assignee = try c.decodeIfPresent(String.self, forKey: .assignee)
        firstReplyAt = try optionalTime(.firstReplyAt)
        firstReplyChannel = try c.decodeIfPresent(String.self, forKey: .firstReplyChannel)
        resolvedAt = try optionalTime(.resolvedAt)
        rootCause = try c.decodeIfPresent(String.self, forKey: .rootCause)
        closedAt = try optionalTime(.closedAt)
        satisfied = try c.decodeIfPresent(Bool.self, forKey: .satisfied)
        reopenCount = try c.decodeIfPresent(Int.self, forKey: .reopenCount) ?? 0
        escalations = try c.decodeIfPresent([String].self, forKey: .escalations) ?? []
        acknowledged = try c.decodeIfPresent([String].self, forKey: .acknowledged) ?? []
        updatedAt = try time(.updatedAt)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 0
        contact = try c.decodeIfPresent(String.self, forKey: .contact)
        contactErased = try c.decodeIfPresent(Bool.self, forKey: .contactErased)
        callbackReachedAt = try optionalTime(.callbackReachedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        func time(_ d: Date?, _ key: CodingKeys) throws {
            if let d { try c.encode(WireTime.string(d), forKey: key) }
        }
        try c.encode(ref, forKey: .ref)
        try c.encodeIfPresent(site, forKey: .site)
        try c.encodeIfPresent(kiosk, forKey: .kiosk)
        try c.encode(day, forKey: .day)
        try c.encodeIfPresent(ticket, forKey: .ticket)
        try c.encodeIfPresent(service, forKey: .service)
        try c.encodeIfPresent(counter, forKey: .counter)
        try c.encodeIfPresent(servedBy, forKey: .servedBy)
        try c.encodeIfPresent(rating, forKey: .rating)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encode(severity, forKey: .severity)
        try time(openedAt, .openedAt)
        try time(replyBy, .replyBy)
        try time(resolveBy, .resolveBy)
        try c.encode(status, forKey: .status)
        try c.encodeIfPresent(assignee, forKey: .assignee)
        try time(firstReplyAt, .firstReplyAt)
        try c.encodeIfPresent(firstReplyChannel, forKey: .firstReplyChannel)
        try time(resolvedAt, .resolvedAt)
        try c.encodeIfPresent(rootCause, forKey: .rootCause)
        try time(closedAt, .closedAt)
        try c.encodeIfPresent(satisfied, forKey: .satisfied)
        try c.encode(reopenCount, forKey: .reopenCount)
        try c.encode(escalations, forKey: .escalations)
        try c.encode(acknowledged, forKey: .acknowledged)
        try time(updatedAt, .updatedAt)
        try c.encode(version, forKey: .version)
        try c.encodeIfPresent(contact, forKey: .contact)
        try c.encodeIfPresent(contactErased, forKey: .contactErased)
        try time(callbackReachedAt, .callbackReachedAt)
    }
}

/// Where a case stands, as the lobby lookup and the desk say it.
public enum CaseStatus: String, Codable, Equatable, Sendable, CaseIterable {
    /// Opened; nobody has taken it or replied yet.
    case received
    /// Assigned to a handler or replied to, not yet resolved (also after a reopening).
    case handling
    /// Resolved, waiting for the resident's verdict.
    case resolved
    /// Closed with the resident's verdict (satisfied; not satisfied reopens it instead).
    case closed
}

/// How soon a case must be resolved: ordinary (what the counter can settle, default 30
/// minutes) or serious (default 6 hours); per service in kiosk.conf.
public enum CaseSeverity: String, Codable, Equatable, Sendable, CaseIterable {
    case ordinary, serious
}

/// How a reply reached the resident (`case.contacted`'s `channel`).
public enum CaseChannel: String, Codable, Equatable, Sendable, CaseIterable {
    case phone, visit, sms, counter
}

/// Escalation thresholds: `<deadline>.<level>`, deadline `reply` or `resolve`, level `near`
/// (a configurable share of the time has passed, default 75 %) or `overdue`.
public enum CaseEscalation {
    public static let all = ["reply.near", "reply.overdue", "resolve.near", "resolve.overdue"]
}

/// `GET /v1/cases?after=N`: the kiosk's site's cases changed after change number N, oldest
/// change first, and the change number to ask after next time. The kiosk stores them with
/// `next` in one transaction, so a restart asks again from where it was and an update is
/// applied once (a state carries its `version`; an older one never replaces a newer one).
public struct CasesReply: Codable, Sendable, Equatable {
    public var cases: [CaseState]
    public var next: Int64
    /// More changes are waiting (the reply was cut at `limit`): ask again at once.
    public var more: Bool
    public var serverTime: String
    public init(cases: [CaseState], next: Int64, more: Bool, serverTime: String) {
        self.cases = cases; self.next = next; self.more = more; self.serverTime = serverTime
    }
}
