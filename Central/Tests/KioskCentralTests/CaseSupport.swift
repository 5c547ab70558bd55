import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO
import Testing

@testable import KioskCentral

/// 2026-12-03 09:00:00 UTC: the morning the cases of these tests are opened.
let caseMorning = Date(timeIntervalSince1970: 1_796_288_400)
let caseDay = "2026-12-03"

/// A kiosk's case event of the test morning, `minutes` after 09:00.
func caseEvent(_ type: EventType, _ ref: String, minutes: Double = 0, _ fill: (inout KioskEvent) -> Void = { _ in }) -> KioskEvent {
    var e = KioskEvent(type, at: caseMorning.addingTimeInterval(minutes * 60), day: caseDay)
    e.caseRef = ref
    fill(&e)
    return e
}

/// `case.opened` of a 不满意 rating: reply within 48 h, resolve within 6 h (or `resolveMinutes`).
func openedEvent(_ ref: String, minutes: Double = 0, ticket: String = "A001", resolveMinutes: Double = 360) -> KioskEvent {
    caseEvent(.caseOpened, ref, minutes: minutes) { e in
        e.ticket = ticket
        e.service = "repairs"
        e.counter = 2
        e.staff = "1002"
        e.rating = 4
        e.reason = "reason.slow"
        e.severity = .serious
        e.deadline = e.time.addingTimeInterval(48 * 3600)
        e.resolveBy = e.time.addingTimeInterval(resolveMinutes * 60)
        e.station = "counter-2"
    }
}

/// A visit's event (no case reference).
func visitEvent(_ type: EventType, ticket: String, minutes: Double, _ fill: (inout KioskEvent) -> Void = { _ in }) -> KioskEvent {
    var e = KioskEvent(type, at: caseMorning.addingTimeInterval(minutes * 60), day: caseDay)
    e.ticket = ticket
    fill(&e)
    return e
}

/// The upload JSON of `(seq, event)` pairs as the kiosk sends them (its event JSON as payload).
func uploadJSON(kiosk: String, _ events: [(Int64, KioskEvent)]) throws -> [String: Any] {
    let encoder = KioskEvent.makeEncoder()
    let list: [[String: Any]] = try events.map { seq, e in
        [
            "seq": seq, "type": e.type.rawValue, "deviceTime": WireTime.string(e.time),
            "payload": try JSONSerialization.jsonObject(with: try encoder.encode(e)),
        ]
    }
    return ["kiosk": kiosk, "events": list]
}

extension LiveCentral {
    /// Uploads the events; expects 200.
    @discardableResult
    func upload(_ token: String, kiosk: String, _ events: [(Int64, KioskEvent)]) async throws -> [String: Any] {
        let r = try await call("POST", "/v1/events", token: token, json: try uploadJSON(kiosk: kiosk, events))
        #expect(r.status == 200, "upload: \(r.status) \(String(decoding: r.raw, as: UTF8.self))")
        return r.json
    }

    /// GET /v1/cases as a kiosk.
    func pull(_ token: String, after: Int64, limit: Int = 200) async throws -> (status: Int, reply: CasesReply?, json: [String: Any]) {
        let r = try await call("GET", "/v1/cases?after=\(after)&limit=\(limit)", token: token)
        return (r.status, try? JSONDecoder().decode(CasesReply.self, from: r.raw), r.json)
    }

    func scalar(_ sql: String) async throws -> Int64 {
        var n: Int64 = 0
        for try await c in try await store.client.query(PostgresQuery(unsafeSQL: sql)).decode(Int64.self) { n = c }
        return n
    }

    /// A second, independent pool on the same database: another kiosk-central process.
    func withSecondProcess<T: Sendable>(share: Double = CaseEscalations.defaultShare, _ body: @Sendable (CentralStore) async throws -> T) async throws -> T {
        var name = ""
        for try await n in try await store.client.query("SELECT current_database()").decode(String.self) { name = n }
        var location = try DatabaseLocation(url: testDatabaseURL!)
        location.database = name
        var logger = Logger(label: "test-second")
        logger.logLevel = .critical
        let captured = logger
        return try await withPostgres(location, logger: logger) { client in
            try await body(CentralStore(client: client, logger: captured, escalationShare: share))
        }
    }
}

/// A desk act as the case desk builds it.
func deskAct(_ type: EventType, minutes: Double, _ fill: (inout KioskEvent) -> Void = { _ in }) -> KioskEvent {
    var e = KioskEvent(type, at: caseMorning.addingTimeInterval(minutes * 60), day: caseDay)
    fill(&e)
    return e
}

/// The `APIError` code `body` throws, nil when it does not throw one.
func apiErrorCode(_ body: () async throws -> Void) async -> String? {
    do {
        try await body()
        return nil
    } catch let e as APIError {
        return e.reply.error
    } catch {
        return "\(error)"
    }
}
