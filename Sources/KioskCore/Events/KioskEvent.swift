import Foundation

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
    /// 1 = 非常满意 … 4 = 不满意.
    public var rating: Int?
    public var score: Int?
    public var reason: String?
    public var caseRef: String?
    public var deadline: Date?
    public var waitedMinutes: Int?
    public var message: String?
    public var weather: Weather?
    public var unresolved: Bool?
    public var detail: String?
    /// The `[station]` the event happened at, where it matters (which lobby's printer failed).
    public var station: String?

    public init(_ type: EventType, at time: Date, day: String) {
        self.type = type; self.time = time; self.day = day
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
    case caseAnswered = "case.answered"
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
