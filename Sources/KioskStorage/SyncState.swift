#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What the central sync has achieved, as stored in `sync_state` (schema v3). Events with
/// `seq > ackedSeq` are the outbox: never deleted, sent until the centre acknowledges them.
public struct SyncStateRow: Equatable, Sendable {
    public var ackedSeq: Int64
    public var lastAttemptAt: String?
    public var lastSuccessAt: String?
    public var lastError: String?
    public var lastErrorAt: String?
    public var configVersion: Int
    public var clockOffsetMs: Int64?
}

/// One unsent event exactly as stored (the payload is the event's JSON text, sent verbatim).
public struct OutboxEvent: Equatable, Sendable {
    public var seq: Int64
    public var type: String
    public var deviceTime: String
    public var payload: String
}

/// The outcome of one of IT's commands, waiting to be reported to the centre.
public struct CommandOutcome: Equatable, Sendable {
    public var commandID: Int64
    public var ok: Bool
    public var message: String
    public var recordedAt: String

    public init(commandID: Int64, ok: Bool, message: String, recordedAt: String) {
        self.commandID = commandID
        self.ok = ok
        self.message = message
        self.recordedAt = recordedAt
    }
}

/// The size of the outbox, for status, heartbeats and the disk-budget warning.
public struct Backlog: Equatable, Sendable {
    public var count: Int64
    public var bytes: Int64
    public var oldestSeq: Int64?
    public var oldestDeviceTime: String?
}

extension EventStore {
    public func syncState() throws -> SyncStateRow {
        var row = SyncStateRow(ackedSeq: 0, configVersion: 0)
        try conn.query(
            """
            SELECT acked_seq, last_attempt_at, last_success_at, last_error, last_error_at, config_version,
                   clock_offset_ms FROM sync_state WHERE id = 1
            """, doing: "reading the sync state"
        ) { r in
            row = SyncStateRow(
                ackedSeq: r.int64(0) ?? 0, lastAttemptAt: r.text(1), lastSuccessAt: r.text(2), lastError: r.text(3),
                lastErrorAt: r.text(4), configVersion: r.int(5) ?? 0, clockOffsetMs: r.int64(6))
        }
        return row
    }

    /// Up to `limit` unsent events after `seq`, oldest first, without decoding them.
    public func outbox(after seq: Int64, limit: Int) throws -> [OutboxEvent] {
        var rows: [OutboxEvent] = []
        try conn.query(
            "SELECT seq, type, device_time, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            [.int(seq), .int(Int64(max(0, limit)))], doing: "reading the outbox"
        ) { r in
            rows.append(OutboxEvent(seq: r.int64(0) ?? 0, type: r.text(1) ?? "", deviceTime: r.text(2) ?? "", payload: r.text(3) ?? "{}"))
        }
        return rows
    }

    /// Count, bytes and oldest of the events after the acknowledged seq.
    public func backlog() throws -> Backlog {
        let acked = try syncState().ackedSeq
        var b = Backlog(count: 0, bytes: 0)
        try conn.query(
            "SELECT COUNT(*), COALESCE(SUM(length(payload)), 0), MIN(seq) FROM events WHERE seq > ?", [.int(acked)],
            doing: "measuring the outbox"
        ) { r in
            b.count = r.int64(0) ?? 0
            b.bytes = r.int64(1) ?? 0
            b.oldestSeq = r.int64(2)
        }
        if let oldest = b.oldestSeq {
            b.oldestDeviceTime = try conn.scalarText(
                "SELECT device_time FROM events WHERE seq = ?", [.int(oldest)], doing: "reading the oldest unsent event")
        }
        return b
    }

    /// Records the centre's acknowledgement, which is authoritative: it may move back when the
    /// centre holds less than before (restored from a backup); the events are then resent. It
    /// never passes the last event. (kioskd and `kioskctl sync` may race; a stale answer only
    /// causes a harmless resend.)
    public func recordSyncSuccess(ackedSeq: Int64, serverTime: String, deviceTime: String, clockOffsetMs: Int64?) throws {
        try conn.exec("BEGIN IMMEDIATE", doing: "recording a sync")
        do {
            let last = try lastSequence()
            let acked = max(0, min(ackedSeq, last))
            try conn.run(
                """
                UPDATE sync_state SET acked_seq = ?, last_attempt_at = ?, last_success_at = ?,
                    last_error = NULL, clock_offset_ms = ? WHERE id = 1
                """, [.int(acked), .text(deviceTime), .text(deviceTime), clockOffsetMs.map { .int($0) } ?? .null],
                doing: "recording a sync")
            try conn.run(
                "INSERT OR IGNORE INTO sync_receipts (through_seq, server_time, device_time, clock_offset_ms) VALUES (?, ?, ?, ?)",
                [.int(acked), .text(serverTime), .text(deviceTime), clockOffsetMs.map { .int($0) } ?? .null],
                doing: "recording a sync receipt")
            try conn.exec("COMMIT", doing: "recording a sync")
        } catch {
            if conn.inTransaction { try? conn.exec("ROLLBACK", doing: "recording a sync") }
            throw error
        }
    }

    /// Records a failed attempt; the acknowledged seq is untouched.
    public func recordSyncFailure(_ message: String, at time: String) throws {
        try conn.run(
            "UPDATE sync_state SET last_attempt_at = ?, last_error = ?, last_error_at = ? WHERE id = 1",
            [.text(time), .text(message), .text(time)], doing: "recording a sync failure")
    }

    /// Records the configuration version this kiosk now runs.
    public func recordConfigVersion(_ version: Int) throws {
        try conn.run(
            "UPDATE sync_state SET config_version = ? WHERE id = 1", [.int(Int64(version))],
            doing: "recording the configuration version")
    }

    /// Keeps a command's outcome until the centre has it (schema v4). A second outcome for the
    /// same command replaces the first.
    public func recordCommandOutcome(_ outcome: CommandOutcome) throws {
        try conn.run(
            "INSERT OR REPLACE INTO command_outcomes (command_id, ok, message, recorded_at) VALUES (?, ?, ?, ?)",
            [.int(outcome.commandID), .int(outcome.ok ? 1 : 0), .text(outcome.message), .text(outcome.recordedAt)],
            doing: "storing the outcome of command \(outcome.commandID)")
    }

    /// Outcomes the centre does not have yet, oldest first.
    public func unreportedCommandOutcomes() throws -> [CommandOutcome] {
        var rows: [CommandOutcome] = []
        try conn.query(
            "SELECT command_id, ok, message, recorded_at FROM command_outcomes ORDER BY recorded_at, command_id",
            doing: "reading unreported command outcomes"
        ) { r in
            rows.append(CommandOutcome(commandID: r.int64(0) ?? 0, ok: r.int(1) == 1, message: r.text(2) ?? "", recordedAt: r.text(3) ?? ""))
        }
        return rows
    }

    /// Forgets an outcome once the centre has it (or has refused it for good).
    public func removeCommandOutcome(commandID: Int64) throws {
        try conn.run(
            "DELETE FROM command_outcomes WHERE command_id = ?", [.int(commandID)],
            doing: "forgetting the reported outcome of command \(commandID)")
    }

    /// The centre's receive time of an event: the receipt of the first batch that covered it.
    public func serverReceiveTime(seq: Int64) throws -> String? {
        try conn.scalarText(
            "SELECT server_time FROM sync_receipts WHERE through_seq >= ? ORDER BY through_seq LIMIT 1", [.int(seq)],
            doing: "reading a sync receipt")
    }
}
