import Foundation
import KioskCore
import Logging
import NIOCore
import PostgresNIO

/// The stored day folds (`ReportDayFold`, packed: `ReportDayFoldPacking.swift`; table
/// `report_days`, migration 12): one per kiosk and business day, so a report over a period merges
/// a kilobyte or two per kiosk-day instead of reading every event of the period.
///
/// A row is marked dirty in the transaction that stores a new event of its day (`ingest`), and
/// folded again from that day's events by whoever comes first: the summariser task of any
/// process (`ReportSummariser`), or a report request for a period with dirty days (it folds them
/// before it reads, so a page never shows a stale figure). Claims take row locks: two processes
/// never fold the same day at once, and an ingest that stores into a day being folded waits for
/// the fold to commit and marks the day dirty again, so no event is ever left out.
///
/// A fold counted its hours in its site's time zone of the time; a report under a configuration
/// with another zone marks those days dirty first (`markZoneChanges`). Wait targets and the day's
/// end are applied when the folds are merged (`ReportFold.add`), so they need no refold.
extension CentralStore {
    /// Days folded per transaction: short, because an upload into one of them waits for it.
    static let reportDaysPerClaim = 8

    /// Marks the days of the events just stored dirty (inside `ingest`'s transaction).
    func markReportDays(_ conn: PostgresConnection, kiosk: String, seqs: [Int64]) async throws {
        guard !seqs.isEmpty else { return }
        try await conn.query(
            """
            INSERT INTO report_days (kiosk_id, site_id, day)
            SELECT DISTINCT kiosk_id, site_id, payload->>'day' FROM events
            WHERE kiosk_id = \(kiosk) AND seq = ANY(\(seqs)) AND payload->>'day' IS NOT NULL
            ON CONFLICT (kiosk_id, site_id, day) DO UPDATE SET dirty = true, dirty_since = now()
            WHERE NOT report_days.dirty
            """, logger: logger)
    }

    /// Folds dirty days: of `sites` (nil: any) in `from`…`to` (nil: unbounded), dirty since at
    /// least `olderThan` seconds. `wait`: also the days another process is folding now (a report
    /// request must see them folded); else those are skipped. Returns the days folded.
    @discardableResult
    public func foldDirtyReportDays(
        sites: [String]? = nil, from: String? = nil, to: String? = nil, olderThan: Double = 0, wait: Bool = false
    ) async throws -> Int {
        var configurations = SiteConfigurations(store: self)
        var total = 0
        while true {
            let claimed = try await transaction { conn -> [(String, String, String)] in
                let lock = wait ? "FOR UPDATE" : "FOR UPDATE SKIP LOCKED"
                let rows = try await conn.query(
                    """
                    SELECT kiosk_id, site_id, day FROM report_days
                    WHERE dirty AND dirty_since <= now() - make_interval(secs => \(olderThan))
                      AND (\(sites)::text[] IS NULL OR site_id = ANY(\(sites))) AND (\(from)::text IS NULL OR day >= \(from))
                      AND (\(to)::text IS NULL OR day <= \(to))
                    ORDER BY kiosk_id, site_id, day LIMIT \(Self.reportDaysPerClaim) \(unescaped: lock)
                    """, logger: logger)
                var days: [(String, String, String)] = []
                for try await row in rows.decode((String, String, String).self) { days.append(row) }
                for (kiosk, site, day) in days {
                    let configuration = try await configurations.configuration(site)
                    try await foldReportDay(conn, kiosk: kiosk, site: site, day: day, configuration: configuration)
                }
                return days
            }
            total += claimed.count
            if claimed.count < Self.reportDaysPerClaim { return total }
        }
    }

    /// One kiosk-day folded from its stored events, under its claim.
    func foldReportDay(_ conn: PostgresConnection, kiosk: String, site: String, day: String, configuration: Configuration) async throws {
        let decoder = KioskEvent.makeDecoder()
        var events: [KioskEvent] = []
        var unreadable = 0
        for try await payload in try await conn.query(
            """
            SELECT payload::text FROM events
            WHERE payload->>'day' = \(day) AND site_id = \(site) AND kiosk_id = \(kiosk) ORDER BY seq
            """, logger: logger
        ).decode(String.self) {
            if let e = try? decoder.decode(KioskEvent.self, from: Data(payload.utf8)) { events.append(e) } else { unreadable += 1 }
        }
        let fold = ReportDayFold(day: day, events: events, configuration: configuration)
        try await conn.query(
            """
            UPDATE report_days SET fold = \(ByteBuffer(bytes: fold.packed())), time_zone = \(fold.timeZone), events = \(fold.events),
              unreadable = \(unreadable), dirty = false, folded_at = now()
            WHERE kiosk_id = \(kiosk) AND site_id = \(site) AND day = \(day)
            """, logger: logger)
    }

    /// Days of `sites` in `from`…`to` folded in another time zone than the site's configuration
    /// has now (their hours of day are counted again), or packed by another version of the
    /// fold, are marked dirty.
    func markZoneChanges(zones: [String: String], from: String, to: String) async throws {
        guard !zones.isEmpty else { return }
        let sites = Array(zones.keys), tz = sites.map { zones[$0]! }
        try await client.query(
            """
            UPDATE report_days r SET dirty = true, dirty_since = now()
            FROM unnest(\(sites)::text[], \(tz)::text[]) AS c(site, zone)
            WHERE r.site_id = c.site AND r.day >= \(from) AND r.day <= \(to) AND NOT r.dirty
              AND (r.time_zone <> c.zone OR get_byte(r.fold, 0) <> \(Int32(ReportDayFold.packingVersion)))
            """, logger: logger)
    }

    /// Makes the days of `from`…`to` (nil: unbounded) of one site (nil: all) ready to read:
    /// days folded in another time zone than their site's configuration now are marked dirty,
    /// then every dirty day is folded (waiting for days another process is folding). Returns
    /// where to read them: the replica once it has them, else the primary (`reportReader`).
    func prepareReportDays(
        site: String?, from: String?, to: String?, configurations: inout SiteConfigurations
    ) async throws -> ReportReader {
        var sites: [String] = []
        for try await s in try await client.query(
            """
            SELECT DISTINCT site_id FROM report_days
            WHERE (\(site)::text IS NULL OR site_id = \(site)) AND (\(from)::text IS NULL OR day >= \(from))
              AND (\(to)::text IS NULL OR day <= \(to))
            """, logger: logger
        ).decode(String.self) { sites.append(s) }
        var zones: [String: String] = [:]
        for s in sites { zones[s] = try await configurations.configuration(s).timeZone.identifier }
        try await markZoneChanges(zones: zones, from: from ?? "0000-00-00", to: to ?? "9999-99-99")
        try await foldDirtyReportDays(sites: site.map { [$0] }, from: from, to: to, wait: true)
        return await reportReader()
    }

    /// The kiosks with folded days in `from`…`to` (of one site, or all), by site and kiosk.
    func reportKiosks(site: String?, from: String, to: String, on reader: ReportReader) async throws -> [(kiosk: String, site: String)] {
        var out: [(kiosk: String, site: String)] = []
        for try await (k, s) in try await reader.client.query(
            """
            SELECT DISTINCT site_id, kiosk_id FROM report_days
            WHERE (\(site)::text IS NULL OR site_id = \(site)) AND day >= \(from) AND day <= \(to) AND events > 0
            ORDER BY site_id, kiosk_id
            """, logger: logger
        ).decode((String, String).self) { out.append((k, s)) }
        return out.map { ($0.1, $0.0) }
    }

    /// Streams the folded days of `from`…`to` (`site` nil: every site), by day then site and
    /// kiosk (`bySite`: by site then day), one unpacked fold at a time. Returns how many folds did
    /// not unpack (another packing version wrote them: they are left out; `prepareReportDays`
    /// folds them again first).
    func forEachReportDay(
        site: String?, from: String?, to: String?, bySite: Bool = false, on reader: ReportReader,
        _ body: (_ kiosk: String, _ site: String, _ fold: ReportDayFold, _ unreadableEvents: Int) async throws -> Void
    ) async throws -> Int {
        let order = bySite ? "site_id, day, kiosk_id" : "day, site_id, kiosk_id"
        let rows = try await reader.client.query(
            """
            SELECT kiosk_id, site_id, fold, unreadable FROM report_days
            WHERE (\(site)::text IS NULL OR site_id = \(site)) AND (\(from)::text IS NULL OR day >= \(from))
              AND (\(to)::text IS NULL OR day <= \(to)) AND fold IS NOT NULL AND events > 0
            ORDER BY \(unescaped: order)
            """, logger: logger)
        var undecodable = 0
        for try await (k, s, bytes, unreadable) in rows.decode((String, String, ByteBuffer, Int32).self) {
            guard let fold = try? ReportDayFold(packed: bytes.readableBytesView) else {
                undecodable += 1
                continue
            }
            try await body(k, s, fold, Int(unreadable))
        }
        return undecodable
    }
}
