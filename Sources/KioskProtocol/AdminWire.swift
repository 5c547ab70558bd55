#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The JSON bodies of IT's admin API (`/v1/admin/…`), used by the centre's routes and by
/// `kiosk-central admin`.

public struct RegisterKioskRequest: Codable, Sendable, Equatable {
    public var kiosk: String
    public var site: String
    public var name: String?
    public init(kiosk: String, site: String, name: String? = nil) {
        self.kiosk = kiosk
        self.site = site
        self.name = name
    }
}

public struct RegisterKioskReply: Codable, Sendable, Equatable {
    public var kiosk: String
    public var site: String
    /// Shown once; the centre keeps only its SHA-256.
    public var token: String
    public init(kiosk: String, site: String, token: String) {
        self.kiosk = kiosk
        self.site = site
        self.token = token
    }
}

public struct KioskHealth: Codable, Sendable, Equatable {
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
    /// Events the kiosk stored and lost with its storage (declared by `events.lost` after a
    /// restore): they never reached the centre, or were lost after it got them. Nil: none.
    public var lostEvents: Int64?
    public init(kiosk: String, site: String, revoked: Bool, ackedSeq: Int64, lastSeen: String? = nil, version: String? = nil, backlog: Int64? = nil, oldestUnsent: String? = nil, lastSuccess: String? = nil, lastError: String? = nil, diskFreeBytes: Int64? = nil, configVersion: Int? = nil, clockOffsetMs: Int64? = nil, lostEvents: Int64? = nil) {
        self.kiosk = kiosk
        self.site = site
        self.revoked = revoked
        self.ackedSeq = ackedSeq
        self.lastSeen = lastSeen
        self.version = version
        self.backlog = backlog
        self.oldestUnsent = oldestUnsent
        self.lastSuccess = lastSuccess
        self.lastError = lastError
        self.diskFreeBytes = diskFreeBytes
        self.configVersion = configVersion
        self.clockOffsetMs = clockOffsetMs
        self.lostEvents = lostEvents
    }
}

public struct KiosksReply: Codable, Sendable, Equatable {
    public var kiosks: [KioskHealth]
    public init(kiosks: [KioskHealth]) {
        self.kiosks = kiosks
    }
}

public struct QueueCommandRequest: Codable, Sendable, Equatable {
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

public struct QueueCommandReply: Codable, Sendable, Equatable {
    public var queued: Int
    /// One command per kiosk; follow them with `GET /v1/admin/commands`.
    public var ids: [Int64]?
    public init(queued: Int, ids: [Int64]? = nil) {
        self.queued = queued
        self.ids = ids
    }
}

/// `POST /v1/commands/{id}/ack`: how the kiosk carried out a command.
public struct CommandAckRequest: Codable, Sendable, Equatable {
    /// "done" or "failed".
    public var result: String
    /// What happened, for IT ("now running configuration version 3", or the error).
    public var message: String?
    public init(result: String, message: String?) {
        self.result = result
        self.message = message
    }

    /// An outcome as the kiosk reports it: done or failed, with a message cut to 1000 characters.
    public init(ok: Bool, message: String) {
        self.init(result: ok ? "done" : "failed", message: String(message.prefix(1000)))
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
    public init(id: Int64, kiosk: String, site: String, type: String, argument: String? = nil, status: String, createdAt: String, deliveredAt: String? = nil, ackedAt: String? = nil, message: String? = nil) {
        self.id = id
        self.kiosk = kiosk
        self.site = site
        self.type = type
        self.argument = argument
        self.status = status
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
        self.ackedAt = ackedAt
        self.message = message
    }
}

public struct CommandsStatusReply: Codable, Sendable, Equatable {
    public var commands: [CommandStatus]
    public init(commands: [CommandStatus]) {
        self.commands = commands
    }
}

public struct PublishConfigRequest: Codable, Sendable, Equatable {
    public var site: String
    public var body: String
    public init(site: String, body: String) {
        self.site = site
        self.body = body
    }
}

public struct PublishConfigReply: Codable, Sendable, Equatable {
    public var site: String
    public var version: Int
    public init(site: String, version: Int) {
        self.site = site
        self.version = version
    }
}

public struct StoredEvent: Codable, Sendable, Equatable {
    public var kiosk: String
    public var site: String
    public var seq: Int64
    public var type: String
    public var deviceTime: String
    public var receivedAt: String
    public var payload: JSONValue
    public init(kiosk: String, site: String, seq: Int64, type: String, deviceTime: String, receivedAt: String, payload: JSONValue) {
        self.kiosk = kiosk
        self.site = site
        self.seq = seq
        self.type = type
        self.deviceTime = deviceTime
        self.receivedAt = receivedAt
        self.payload = payload
    }
}

public struct EventsReply: Codable, Sendable, Equatable {
    public var events: [StoredEvent]
    public init(events: [StoredEvent]) {
        self.events = events
    }
}

/// One site's day, with the metric definitions of shared/notes/domain.md (rates are 0…1, null
/// when their base is zero; waits in seconds).
public struct ReportRow: Codable, Sendable, Equatable {
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
    public init(site: String, day: String, tickets: Int64, called: Int64, served: Int64, noShows: Int64, ratings: Int64, csatPercent: Double? = nil, satisfactionIndex: Double? = nil, casesOpened: Int64, casesAnswered: Int64, casesOverdue: Int64, waitAverageSeconds: Double? = nil, waitP90Seconds: Double? = nil, withinTarget: Double? = nil, promiseKept: Double? = nil, noShowRate: Double? = nil, responseRate: Double? = nil) {
        self.site = site
        self.day = day
        self.tickets = tickets
        self.called = called
        self.served = served
        self.noShows = noShows
        self.ratings = ratings
        self.csatPercent = csatPercent
        self.satisfactionIndex = satisfactionIndex
        self.casesOpened = casesOpened
        self.casesAnswered = casesAnswered
        self.casesOverdue = casesOverdue
        self.waitAverageSeconds = waitAverageSeconds
        self.waitP90Seconds = waitP90Seconds
        self.withinTarget = withinTarget
        self.promiseKept = promiseKept
        self.noShowRate = noShowRate
        self.responseRate = responseRate
    }
}

public struct ReportsReply: Codable, Sendable, Equatable {
    public var rows: [ReportRow]
    public init(rows: [ReportRow]) {
        self.rows = rows
    }
}
