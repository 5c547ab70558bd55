#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every change the kiosk makes is one append-only event. The current state is a fold over the
/// day's events (`QueueState.apply`), so a restart replays them and lands exactly where it was.
/// Events are also what the central sync sends. Fields not used by a type stay nil and are
/// omitted from JSON.
public struct KioskEvent: Codable, Equatable, Sendable {
    public var type: EventType
    /// Device time, whole seconds.
    public var time: Date
    /// Business day (local date at which the day started), "2026-11-24".
    public var day: String
    public var ticket: String?
    public var service: String?
    public var fromService: String?
    public var priority: Bool?
    public var number: Int?
    public var counter: Int?
    public var staff: String?
    public var position: Int?
    /// Estimated wait range shown when the ticket was issued, in minutes.
    public var estimateLow: Int?
    public var estimateHigh: Int?
    /// The estimator's point estimate of that wait, in seconds (`WaitEstimate.point`): what
    /// the reports measure the estimate's error on. On `care.predicted`: the whole wait
    /// (issue → call) the forecast predicts, in seconds.
    public var estimateSeconds: Int?
    /// 1 = 非常满意 … 4 = 不满意.
    public var rating: Int?
    public var score: Int?
    public var reason: String?
    public var caseRef: String?
    /// `case.opened`: the first reply is due by `deadline` (the time printed on the pad), the
    /// resolution by `resolveBy`, after the service's deadline for `severity`.
    public var deadline: Date?
    public var resolveBy: Date?
    public var severity: CaseSeverity?
    /// `case.assigned`: the handler's account name.
    public var assignee: String?
    /// `case.contacted`: how the reply reached the resident.
    public var channel: CaseChannel?
    /// What a handler wrote: the reply (`case.contacted`), the resolution (`case.resolved`), why
    /// it was reopened (`case.reopened`).
    public var note: String?
    /// `case.resolved`: the root cause, a key of the configured list (`cause.*`).
    public var rootCause: String?
    /// `case.closed`: the resident's verdict on the handling (false reopens the case).
    public var satisfied: Bool?
    /// `case.escalated` / `case.alert-acknowledged`: the threshold ("reply.near", … see
    /// `CaseEscalation`).
    public var level: String?
    /// `case.contact-given`: the resident's number MASKED ("138****5678", `ContactNumber.masked`);
    /// the full number never is an event field (the machine hands it over in
    /// `KioskOutput.contacts`, kept apart and erased once the centre has it).
    public var contact: String?
    /// `case.contact-asked` / `case.contact-given`: the catalog key of the consent sentence shown
    /// and its version (`ContactConsent`).
    public var consent: String?
    public var consentVersion: String?
    /// `case.callback`: how the handler's call went.
    public var callback: CallbackOutcome?
    public var waitedMinutes: Int?
    public var message: String?
    public var weather: Weather?
    public var unresolved: Bool?
    public var detail: String?
    /// The `[station]` the event happened at, where it matters (which lobby's printer failed).
    public var station: String?
    /// `events.lost`: the seqs this kiosk had stored and lost with its storage (`lostFrom` …
    /// `lostThrough`, both inclusive); the event itself comes right after them.
    public var lostFrom: Int64?
    public var lostThrough: Int64?

    public init(_ type: EventType, at time: Date, day: String) {
        self.type = type; self.time = time; self.day = day
    }
}

extension KioskEvent {
    /// The stored fields' keys, for `StoredEventReader` to find a name without making a String
    /// (`CodingKeys(stringValue:)` compares Strings one by one). A key missing here is never
    /// read fast, and `StoredEventReaderTests` fails.
    private static let storedKeys: [CodingKeys] = [
        .type, .time, .day, .ticket, .service, .fromService, .priority, .number, .counter, .staff,
        .position, .estimateLow, .estimateHigh, .estimateSeconds, .rating, .score, .reason, .caseRef,
        .deadline, .resolveBy, .severity, .assignee, .channel, .note, .rootCause, .satisfied, .level,
        .contact, .consent, .consentVersion, .callback, .waitedMinutes, .message, .weather, .unresolved,
        .detail, .station, .lostFrom, .lostThrough,
    ]
    private static let storedNames = StoredFieldNames(storedKeys.map(\.stringValue))

    /// Reads the field named `name` (`StoredEventReader`), looking for the name in
    /// `storedNames` from `cursor` on; false for an unknown name, one out of order or a value
    /// not in the stored form. The switch is over the synthesized `CodingKeys` (so it lives in
    /// this file) and exhaustive: a new property does not compile until it is read here too, and
    /// the reader's overload is chosen by the property's type.
    mutating func readStoredField(
        _ name: UnsafeBufferPointer<UInt8>, cursor: inout Int, from r: inout StoredEventReader
    ) -> Bool {
        guard let index = Self.storedNames.index(named: name, from: &cursor) else { return false }
        switch Self.storedKeys[index] {
        case .type: return r.value(&type)
        case .time: return r.value(&time)
        case .day: return r.value(&day)
        case .ticket: return r.value(&ticket)
        case .service: return r.value(&service)
        case .fromService: return r.value(&fromService)
        case .priority: return r.value(&priority)
        case .number: return r.value(&number)
        case .counter: return r.value(&counter)
        case .staff: return r.value(&staff)
        case .position: return r.value(&position)
        case .estimateLow: return r.value(&estimateLow)
        case .estimateHigh: return r.value(&estimateHigh)
        case .estimateSeconds: return r.value(&estimateSeconds)
        case .rating: return r.value(&rating)
        case .score: return r.value(&score)
        case .reason: return r.value(&reason)
        case .caseRef: return r.value(&caseRef)
        case .deadline: return r.value(&deadline)
        case .resolveBy: return r.value(&resolveBy)
        case .severity: return r.value(&severity)
        case .assignee: return r.value(&assignee)
        case .channel: return r.value(&channel)
        case .note: return r.value(&note)
        case .rootCause: return r.value(&rootCause)
        case .satisfied: return r.value(&satisfied)
        case .level: return r.value(&level)
        case .contact: return r.value(&contact)
        case .consent: return r.value(&consent)
        case .consentVersion: return r.value(&consentVersion)
        case .callback: return r.value(&callback)
        case .waitedMinutes: return r.value(&waitedMinutes)
        case .message: return r.value(&message)
        case .weather: return r.value(&weather)
        case .unresolved: return r.value(&unresolved)
        case .detail: return r.value(&detail)
        case .station: return r.value(&station)
        case .lostFrom: return r.value(&lostFrom)
        case .lostThrough: return r.value(&lostThrough)
        }
    }
}

/// Event types, spelled as they appear in storage and JSON.
public enum EventType: String, Codable, Equatable, Sendable, CaseIterable {
    case ticketIssued = "ticket.issued"
    case ticketCalled = "ticket.called"
    case ticketRecalled = "ticket.recalled"
    case ticketNoShow = "ticket.no-show"
    case ticketTransferred = "ticket.transferred"
    case serviceStarted = "service.started"
    case serviceFinished = "service.finished"
    case ratingRecorded = "rating.recorded"
    case ratingReason = "rating.reason"
    case ratingMisuse = "rating.misuse"
    case notRated = "rating.none"
    case caseOpened = "case.opened"
    /// A handler took responsibility for the case (`assignee`); `staff` is who assigned it.
    case caseAssigned = "case.assigned"
    /// A reply reached the resident (`channel`, `note`): the first one is the "first reply".
    case caseContacted = "case.contacted"
    /// The problem was solved (`note`, `rootCause`).
    case caseResolved = "case.resolved"
    /// The resident gave a verdict on the handling (`satisfied`); not satisfied reopens it.
    case caseClosed = "case.closed"
    /// Staff reopened a resolved or closed case (`note`).
    case caseReopened = "case.reopened"
    /// A deadline is near or has passed (`level`); the centre notified the site's manager.
    case caseEscalated = "case.escalated"
    /// A counter acknowledged an escalation alert (`level`), like a care alert.
    case caseAlertAcknowledged = "case.alert-acknowledged"
    /// The rating pad asked for a call-back number, showing the consent sentence (`consent`,
    /// `consentVersion`).
    case caseContactAsked = "case.contact-asked"
    /// A number was given (`contact`, masked only) with that consent.
    case caseContactGiven = "case.contact-given"
    /// No number: skipped with Enter (`detail` "skipped") or nobody answered ("timeout").
    case caseContactSkipped = "case.contact-skipped"
    /// At the centre: a handler saw the full number on the case page (`staff`).
    case caseContactViewed = "case.contact-viewed"
    /// At the centre: the full number was erased (`detail` "retention" or "request").
    case caseContactErased = "case.contact-erased"
    /// At the centre: a message to the resident through notify-command finished (`level` the
    /// step: resident.received, resident.replied, resident.resolved, resident.apology; `detail`
    /// the outcome: sent, failed or skipped).
    case caseResidentNotified = "case.resident-notified"
    /// A handler called the resident back (`callback`: reached, not reached, call back later).
    case caseCallback = "case.callback"
    /// The forecast says a waiting ticket will pass its service's target wait before it has
    /// (`waitedMinutes` so far, `estimateSeconds` the predicted whole wait): staff are told
    /// early, once per ticket; `care.raised` still follows if it really passes.
    case carePredicted = "care.predicted"
    case careAlertRaised = "care.raised"
    case careAcknowledged = "care.acknowledged"
    case farewellShown = "farewell.shown"
    /// The farewell's time is up (`farewell-seconds`): the pad is idle again.
    case farewellEnded = "farewell.ended"
    case staffLoggedIn = "staff.login"
    case staffLoginFailed = "staff.login-failed"
    case staffLoggedOut = "staff.logout"
    case counterOpened = "counter.opened"
    case counterPaused = "counter.paused"
    case counterClosed = "counter.closed"
    case weatherSet = "weather.set"
    case dayClosed = "day.closed"
    /// The ticket printer failed (offline, paper out, write error); `detail` says how.
    case printerFailed = "printer.failed"
    /// The ticket printer printed again after a failure.
    case printerRecovered = "printer.ok"
    /// A restore (`kioskctl restore`) put back a log that ends before the last event this kiosk
    /// stored: events `lostFrom`…`lostThrough` are gone, and their seqs are never used again
    /// (the centre may hold some of them). `number`: how many ticket numbers of `day` the lost
    /// events may have used, so today's numbering continues above them (`QueueState.nextNumber`).
    case eventsLost = "events.lost"
}

/// An event as stored: with its per-kiosk sequence number.
public struct RecordedEvent: Codable, Equatable, Sendable {
    public var seq: Int64
    public var kiosk: String
    public var event: KioskEvent
    public init(seq: Int64, kiosk: String, event: KioskEvent) { self.seq = seq; self.kiosk = kiosk; self.event = event }
}

extension KioskEvent {
    /// JSON coders shared by storage and `kioskctl events --json`: stable key order, ISO 8601 times.
    public static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }
    public static func makeDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}

extension KioskEvent {
    /// The `events.lost` record: seqs `lost` are gone (nil: an unknown number of events after the
    /// last one known), and `numbers` ticket numbers of `day` may have been used by them.
    public static func lost(_ lost: ClosedRange<Int64>?, numbers: Int, day: String, at time: Date) -> KioskEvent {
        var e = KioskEvent(.eventsLost, at: time, day: day)
        e.lostFrom = lost?.lowerBound
        e.lostThrough = lost?.upperBound
        e.number = numbers
        e.detail = lost.map { "events #\($0.lowerBound)…#\($0.upperBound) were lost with the kiosk's storage" }
            ?? "an unknown number of events after the last one the centre holds were lost with the kiosk's storage"
        return e
    }
}
