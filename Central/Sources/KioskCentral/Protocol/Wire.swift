import Foundation

/// The JSON bodies of the kiosk ↔ centre protocol (docs/openapi.yaml is the contract; a test
/// checks that the server's routes and the spec's paths agree).

/// Limits a batch must respect; larger ones get 413 / 400 and change nothing.
public enum ProtocolLimits {
    /// Events in one upload.
    public static let maxEventsPerBatch = 1000
    /// Bytes of one request body.
    public static let maxBodyBytes = 4 * 1024 * 1024
    /// Longest long-poll wait for commands, seconds.
    public static let maxCommandWaitSeconds = 30
}

/// One event as the kiosk recorded it. `payload` is the kiosk's own event JSON, kept verbatim.
public struct UploadEvent: Codable, Sendable {
    public var seq: Int64
    public var type: String
    /// The kiosk's clock when the event happened (ISO 8601); never used for ordering.
    public var deviceTime: String
    public var payload: JSONValue
    public init(seq: Int64, type: String, deviceTime: String, payload: JSONValue) {
        self.seq = seq
        self.type = type
        self.deviceTime = deviceTime
        self.payload = payload
    }
}

/// `POST /v1/events`.
public struct UploadRequest: Codable, Sendable {
    /// Optional: when present it must be the token's site.
    public var site: String?
    public var kiosk: String
    /// The kiosk's clock when it sent the batch (for the clock offset).
    public var sentAt: String?
    public var events: [UploadEvent]
    public init(site: String? = nil, kiosk: String, sentAt: String? = nil, events: [UploadEvent]) {
        self.site = site
        self.kiosk = kiosk
        self.sentAt = sentAt
        self.events = events
    }
}

/// The centre's answer: everything up to `ackedSeq` is stored; the kiosk may mark it sent.
public struct UploadReply: Codable, Sendable, Equatable {
    public var ackedSeq: Int64
    public var stored: Int
    public var duplicates: Int
    public var serverTime: String
}

/// Every 4xx/5xx body: a stable `error` code, a sentence, and what to do.
public struct ErrorReply: Codable, Sendable, Equatable {
    public var error: String
    public var message: String
    public var hint: String
}

/// `POST /v1/heartbeat`: what IT sees in the kiosk list.
public struct Heartbeat: Codable, Sendable {
    public var version: String?
    public var uptimeSeconds: Int64?
    public var backlog: Int64?
    public var oldestUnsent: String?
    public var lastSuccess: String?
    public var lastError: String?
    public var diskFreeBytes: Int64?
    public var configVersion: Int?
    public var clockOffsetMs: Int64?
}

public struct ServerTimeReply: Codable, Sendable { public var serverTime: String }

/// The answer to a heartbeat: the centre's time and the kiosk's site (for fetching its config).
public struct HeartbeatReply: Codable, Sendable {
    public var serverTime: String
    public var kiosk: String
    public var site: String
}

/// A queued command for one kiosk.
public struct Command: Codable, Sendable, Equatable {
    public var id: Int64
    public var type: String
    public var argument: String?
}

public struct CommandsReply: Codable, Sendable { public var commands: [Command]; public var serverTime: String }

public struct ConfigReply: Codable, Sendable {
    public var site: String
    public var version: Int
    /// The configuration file text (kiosk.conf syntax) the kiosk applies atomically.
    public var body: String
    public var publishedAt: String
}

// MARK: Admin

public struct RegisterKioskRequest: Codable, Sendable {
    public var kiosk: String
    public var site: String
    public var name: String?
    public init(kiosk: String, site: String, name: String? = nil) {
        self.kiosk = kiosk
        self.site = site
        self.name = name
    }
}

public struct RegisterKioskReply: Codable, Sendable {
    public var kiosk: String
    public var site: String
    /// Shown once; the centre keeps only its SHA-256.
    public var token: String
}

public struct KioskHealth: Codable, Sendable {
    public var kiosk: String
    public var site: String
    public var revoked: Bool
    public var ackedSeq: Int64
    public var lastSeen: String?
    public var version: String?
    public var backlog: Int64?
    public var oldestUnsent: String?
    public var lastSuccess: String?
    public var lastError: String?
    public var diskFreeBytes: Int64?
    public var configVersion: Int?
    public var clockOffsetMs: Int64?
}

public struct KiosksReply: Codable, Sendable { public var kiosks: [KioskHealth] }

public struct QueueCommandRequest: Codable, Sendable {
    public var kiosk: String?
    public var site: String?
    public var type: String
    public var argument: String?
    public init(kiosk: String?, site: String?, type: String, argument: String?) {
        self.kiosk = kiosk
        self.site = site
        self.type = type
        self.argument = argument
    }
}

public struct QueueCommandReply: Codable, Sendable {
    public var queued: Int
    /// One command per kiosk; follow them with `GET /v1/admin/commands`.
    public var ids: [Int64]?
}

/// `POST /v1/commands/{id}/ack`: how the kiosk carried out a command.
public struct CommandAckRequest: Codable, Sendable {
    /// "done" or "failed".
    public var result: String
    /// What happened, for IT ("now running configuration version 3", or the error).
    public var message: String?
    public init(result: String, message: String?) {
        self.result = result
        self.message = message
    }
}

/// A command as IT follows it: queued → delivered (long-poll) → done / failed (the kiosk's ack).
public struct CommandStatus: Codable, Sendable, Equatable {
    public var id: Int64
    public var kiosk: String
    public var site: String
    public var type: String
    public var argument: String?
    /// queued, delivered, done or failed.
    public var status: String
    public var createdAt: String
    public var deliveredAt: String?
    public var ackedAt: String?
    public var message: String?
}

public struct CommandsStatusReply: Codable, Sendable { public var commands: [CommandStatus] }

public struct PublishConfigRequest: Codable, Sendable {
    public var site: String
    public var body: String
    public init(site: String, body: String) {
        self.site = site
        self.body = body
    }
}

public struct PublishConfigReply: Codable, Sendable {
    public var site: String
    public var version: Int
}

public struct StoredEvent: Codable, Sendable {
    public var kiosk: String
    public var site: String
    public var seq: Int64
    public var type: String
    public var deviceTime: String
    public var receivedAt: String
    public var payload: JSONValue
}

public struct EventsReply: Codable, Sendable { public var events: [StoredEvent] }

/// One site's day, with the metric definitions of shared/notes/domain.md (rates are 0…1, null
/// when their base is zero; waits in seconds).
public struct ReportRow: Codable, Sendable {
    public var site: String
    public var day: String
    public var tickets: Int64
    public var called: Int64
    public var served: Int64
    public var noShows: Int64
    public var ratings: Int64
    public var csatPercent: Double?
    public var satisfactionIndex: Double?
    public var casesOpened: Int64
    public var casesAnswered: Int64
    public var casesOverdue: Int64
    public var waitAverageSeconds: Double?
    public var waitP90Seconds: Double?
    public var withinTarget: Double?
    public var promiseKept: Double?
    public var noShowRate: Double?
    public var responseRate: Double?
}

public struct ReportsReply: Codable, Sendable { public var rows: [ReportRow] }

/// Any JSON value, so the kiosk's event payload passes through unchanged.
public indirect enum JSONValue: Codable, Sendable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n):
            if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int64(n)) } else { try c.encode(n) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var isObject: Bool { if case .object = self { return true } else { return false } }
}

/// ISO 8601 in UTC with milliseconds, the protocol's one time format.
public enum WireTime {
    public static func string(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    public static func parse(_ text: String) -> Date? {
        if let d = try? Date(text, strategy: .iso8601) { return d }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
