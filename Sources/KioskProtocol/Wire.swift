#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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
    /// Highest event sequence number (2^53 − 1, exact in every JSON reader): a kiosk's stream
    /// can never reach it, and the centre's "next seq" arithmetic never overflows.
    public static let maxSeq: Int64 = 9_007_199_254_740_991
    /// Deepest nesting of arrays and objects in a request body (kiosk payloads use 3 or 4).
    public static let maxJSONDepth = 32
}

/// One event as the kiosk recorded it. `payload` is the kiosk's own event JSON, kept verbatim.
public struct UploadEvent: Codable, Sendable, Equatable {
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

/// `GET /v1/events`: the asking kiosk's own events as the centre holds them, so that a kiosk
/// whose storage was lost or damaged can rebuild its log (`kioskctl restore --from-central`).
public struct OwnEventsReply: Codable, Sendable, Equatable {
    public var kiosk: String
    public var site: String
    /// Every seq up to this is held or was declared lost (`events.lost`); events are served up to it.
    public var ackedSeq: Int64
    /// The highest seq held (above `ackedSeq` only after a gap).
    public var highestSeq: Int64
    /// Events after the asked `after`, oldest first, at most the asked `limit`; fewer: the end.
    public var events: [UploadEvent]
    public init(kiosk: String, site: String, ackedSeq: Int64, highestSeq: Int64, events: [UploadEvent]) {
        self.kiosk = kiosk
        self.site = site
        self.ackedSeq = ackedSeq
        self.highestSeq = highestSeq
        self.events = events
    }
}

/// `POST /v1/events`.
public struct UploadRequest: Codable, Sendable, Equatable {
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
    public init(ackedSeq: Int64, stored: Int, duplicates: Int, serverTime: String) {
        self.ackedSeq = ackedSeq
        self.stored = stored
        self.duplicates = duplicates
        self.serverTime = serverTime
    }
}

/// Every 4xx/5xx body: a stable `error` code, a sentence, and what to do.
public struct ErrorReply: Codable, Sendable, Equatable {
    public var error: String
    public var message: String
    public var hint: String
    public init(error: String, message: String, hint: String) {
        self.error = error
        self.message = message
        self.hint = hint
    }
}

/// `POST /v1/heartbeat`: what IT sees in the kiosk list.
public struct Heartbeat: Codable, Sendable, Equatable {
    public var version: String?
    public var uptimeSeconds: Int64?
    public var backlog: Int64?
    public var oldestUnsent: String?
    public var lastSuccess: String?
    public var lastError: String?
    public var diskFreeBytes: Int64?
    public var configVersion: Int?
    public var clockOffsetMs: Int64?
    public init(version: String? = nil, uptimeSeconds: Int64? = nil, backlog: Int64? = nil, oldestUnsent: String? = nil, lastSuccess: String? = nil, lastError: String? = nil, diskFreeBytes: Int64? = nil, configVersion: Int? = nil, clockOffsetMs: Int64? = nil) {
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.backlog = backlog
        self.oldestUnsent = oldestUnsent
        self.lastSuccess = lastSuccess
        self.lastError = lastError
        self.diskFreeBytes = diskFreeBytes
        self.configVersion = configVersion
        self.clockOffsetMs = clockOffsetMs
    }
}

public struct ServerTimeReply: Codable, Sendable, Equatable {
    public var serverTime: String
    public init(serverTime: String) {
        self.serverTime = serverTime
    }
}

/// The answer to a heartbeat: the centre's time and the kiosk's site (for fetching its config).
public struct HeartbeatReply: Codable, Sendable, Equatable {
    public var serverTime: String
    public var kiosk: String
    public var site: String
    public init(serverTime: String, kiosk: String, site: String) {
        self.serverTime = serverTime
        self.kiosk = kiosk
        self.site = site
    }
}

/// A queued command for one kiosk.
public struct Command: Codable, Sendable, Equatable {
    public var id: Int64
    public var type: String
    public var argument: String?
    public init(id: Int64, type: String, argument: String? = nil) {
        self.id = id
        self.type = type
        self.argument = argument
    }
}

public struct CommandsReply: Codable, Sendable, Equatable {
    public var commands: [Command]
    public var serverTime: String
    public init(commands: [Command], serverTime: String) {
        self.commands = commands
        self.serverTime = serverTime
    }
}

public struct ConfigReply: Codable, Sendable, Equatable {
    public var site: String
    public var version: Int
    /// The configuration file text (kiosk.conf syntax) the kiosk applies atomically.
    public var body: String
    public var publishedAt: String
    public init(site: String, version: Int, body: String, publishedAt: String) {
        self.site = site
        self.version = version
        self.body = body
        self.publishedAt = publishedAt
    }
}
