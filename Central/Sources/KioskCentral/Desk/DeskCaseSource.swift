import Foundation
import KioskCore
import PostgresNIO

/// One entry of a case's timeline: the event (who = `staff`, where = `station`, when = `time`)
/// and the kiosk it came from (nil for the desk's and the centre's own).
struct DeskTimelineEntry: Sendable {
    var event: KioskEvent
    var kiosk: String?
}

/// A case with its whole timeline.
struct DeskCaseDetail: Sendable {
    var state: CaseState
    var timeline: [DeskTimelineEntry]
}

/// What came of a desk action.
enum DeskActResult: Sendable {
    case applied
    /// The form's request id was used before: the action was applied then, not again.
    case duplicate
    case noSuchCase
}

/// What the desk reads and writes of cases. The case store (migration 8, `CaseStore`) is the
/// centre's; these are the desk's few calls into it, in one place.
extension CentralStore {
    /// Every case of these sites (nil: every site), open or not.
    func deskCases(sites: [String]?) async throws -> [CaseState] {
        try await deskFold(sites: sites, ref: nil).map(\.state)
    }

    /// One case with its timeline, nil when the site has no such reference.
    func deskCase(site: String, ref: String) async throws -> DeskCaseDetail? {
        try await deskFold(sites: [site], ref: ref).first
    }

    /// Applies a desk action exactly once (the request id is the one-time form token).
    func deskAct(site: String, ref: String, event: KioskEvent, requestId: String) async throws -> DeskActResult {
        throw DeskRefusal(
            status: .serviceUnavailable, title: "Not yet", message: "desk actions need the case store (migration 8)")
    }

    /// The visit's wait: its ticket's first call − issue, from the kiosk's synced events.
    func deskVisitWait(kiosk: String?, day: String, ticket: String?) async throws -> TimeInterval? {
        guard let kiosk, let ticket else { return nil }
        let rows = try await client.query(
            """
            SELECT extract(epoch FROM min(c.device_time) - min(i.device_time))::float8
            FROM events i JOIN events c ON c.kiosk_id = i.kiosk_id AND c.type = 'ticket.called'
              AND c.payload->>'day' = i.payload->>'day' AND c.payload->>'ticket' = i.payload->>'ticket'
            WHERE i.kiosk_id = \(kiosk) AND i.type = 'ticket.issued' AND i.payload->>'day' = \(day)
              AND i.payload->>'ticket' = \(ticket)
            """, logger: logger)
        for try await seconds in rows.decode(Double?.self) { return seconds }
        return nil
    }

    /// Folds the case events stored as kiosk events (until the case store is merged).
    private func deskFold(sites: [String]?, ref: String?) async throws -> [DeskCaseDetail] {
        var binds = PostgresBindings()
        binds.append(sites)
        binds.append(ref)
        let rows = try await client.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT site_id, kiosk_id, payload::text FROM events
                    WHERE type LIKE 'case.%' AND ($1::text[] IS NULL OR site_id = ANY($1))
                      AND ($2::text IS NULL OR payload->>'caseRef' = $2)
                    ORDER BY received_at, kiosk_id, seq
                    """, binds: binds), logger: logger)
        let decoder = KioskEvent.makeDecoder()
        var cases: [String: DeskCaseDetail] = [:]
        var order: [String] = []
        for try await (site, kiosk, payload) in rows.decode((String, String, String).self) {
            guard let e = try? decoder.decode(KioskEvent.self, from: Data(payload.utf8)), let r = e.caseRef else { continue }
            let key = site + "\u{1}" + r
            if var detail = cases[key] {
                detail.state.apply(e)
                detail.timeline.append(DeskTimelineEntry(event: e, kiosk: kiosk))
                cases[key] = detail
            } else if let state = CaseState(opened: e, site: site, kiosk: kiosk) {
                cases[key] = DeskCaseDetail(state: state, timeline: [DeskTimelineEntry(event: e, kiosk: kiosk)])
                order.append(key)
            }
        }
        return order.compactMap { cases[$0] }
    }
}
