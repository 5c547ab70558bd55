import Foundation
import KioskProtocol
import Logging
import PostgresNIO

/// Heartbeats, coalesced: a beat is answered at once and kept in memory; every
/// `flushInterval` the newest beat of each kiosk heard since is written in one upsert into
/// `kiosk_heartbeats` (one statement a second for the whole fleet instead of a transaction per
/// beat). A beat is health, not a record: a process killed loses at most its last second of
/// "last seen", which the kiosk's next beat restores. The kiosk list flushes first.
public final class HeartbeatWriter: @unchecked Sendable {
    public static let flushInterval: Duration = .seconds(1)

    private let lock = NSLock()
    private var pending: [String: (beat: Heartbeat, at: Date)] = [:]

    public init() {}

    public func record(kiosk: String, _ beat: Heartbeat, at: Date) {
        lock.withLock { pending[kiosk] = (beat, at) }
    }

    private func take() -> [(kiosk: String, beat: Heartbeat, at: Date)] {
        lock.withLock {
            defer { pending.removeAll(keepingCapacity: true) }
            return pending.map { ($0.key, $0.value.beat, $0.value.at) }.sorted { $0.kiosk < $1.kiosk }
        }
    }

    /// Writes what is pending. A batch the database refuses (a kiosk deleted meanwhile fails the
    /// foreign key) is written beat by beat, so one bad beat is logged and dropped alone.
    public func flush(client: PostgresClient, logger: Logger) async {
        let beats = take()
        guard !beats.isEmpty else { return }
        do {
            try await Self.write(beats, client: client, logger: logger)
        } catch {
            guard beats.count > 1 else {
                logger.warning(
                    "a heartbeat could not be stored and was dropped",
                    metadata: ["kiosk": "\(beats[0].kiosk)", "error": "\(String(reflecting: error))"])
                return
            }
            // Beat by beat, unless the database itself is the trouble (three failures in a row):
            // then the rest are dropped with one line, not one query and one line each.
            var failuresInARow = 0
            for (i, b) in beats.enumerated() {
                do {
                    try await Self.write([b], client: client, logger: logger)
                    failuresInARow = 0
                } catch {
                    failuresInARow += 1
                    logger.warning(
                        "a heartbeat could not be stored and was dropped",
                        metadata: ["kiosk": "\(b.kiosk)", "error": "\(String(reflecting: error))"])
                    if failuresInARow == 3 {
                        logger.warning("the database refuses heartbeats; the beats of this second are dropped (kiosks beat again)",
                                       metadata: ["dropped": "\(beats.count - i - 1)"])
                        return
                    }
                }
            }
        }
    }

    /// Flushes every `flushInterval` until cancelled, then once more.
    public func run(client: PostgresClient, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: Self.flushInterval)
            await flush(client: client, logger: logger)
        }
        await flush(client: client, logger: logger)
    }

    private struct Row: Encodable {
        let kiosk_id: String
        let received_at: String
        let version: String?
        let uptime_seconds: Int64?
        let backlog: Int64?
        let oldest_unsent: String?
        let last_success: String?
        let last_error: String?
        let disk_free_bytes: Int64?
        let config_version: Int?
        let clock_offset_ms: Int64?
    }

    static func write(_ beats: [(kiosk: String, beat: Heartbeat, at: Date)], client: PostgresClient, logger: Logger) async throws {
        let rows = beats.map { b in
            Row(
                kiosk_id: b.kiosk, received_at: WireTime.string(b.at), version: b.beat.version,
                uptime_seconds: b.beat.uptimeSeconds, backlog: b.beat.backlog, oldest_unsent: b.beat.oldestUnsent,
                last_success: b.beat.lastSuccess, last_error: b.beat.lastError, disk_free_bytes: b.beat.diskFreeBytes,
                config_version: b.beat.configVersion, clock_offset_ms: b.beat.clockOffsetMs)
        }
        let json = String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
        try await client.query(
            """
            INSERT INTO kiosk_heartbeats (kiosk_id, received_at, version, uptime_seconds, backlog, oldest_unsent,
                last_success, last_error, disk_free_bytes, config_version, clock_offset_ms)
            SELECT b.* FROM jsonb_to_recordset(\(json)::jsonb) AS b(kiosk_id text, received_at timestamptz, version text,
                uptime_seconds bigint, backlog bigint, oldest_unsent timestamptz, last_success timestamptz, last_error text,
                disk_free_bytes bigint, config_version bigint, clock_offset_ms bigint)
            ORDER BY b.kiosk_id
            ON CONFLICT (kiosk_id) DO UPDATE SET
                received_at = EXCLUDED.received_at, version = EXCLUDED.version, uptime_seconds = EXCLUDED.uptime_seconds,
                backlog = EXCLUDED.backlog, oldest_unsent = EXCLUDED.oldest_unsent, last_success = EXCLUDED.last_success,
                last_error = EXCLUDED.last_error, disk_free_bytes = EXCLUDED.disk_free_bytes,
                config_version = EXCLUDED.config_version, clock_offset_ms = EXCLUDED.clock_offset_ms
            WHERE kiosk_heartbeats.received_at <= EXCLUDED.received_at
            """, logger: logger)
    }
}
