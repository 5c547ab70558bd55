import Foundation
import KioskProtocol
import Testing

@testable import KioskCentral

/// A kiosk's log at the centre after its storage was lost: read back with its seqs
/// (`GET /v1/events`, for `kioskctl restore --from-central`), and the seqs it declares lost
/// (`events.lost`) stepped over by the acknowledgement, so its outbox drains again.
@Suite("A kiosk's own log: read back, losses declared", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct KioskLogTests {
    func lost(_ seq: Int64, from: Int64, through: Int64) -> [String: Any] {
        ["seq": seq, "type": "events.lost", "deviceTime": "2026-11-24T10:00:00Z",
         "payload": ["type": "events.lost", "day": "2026-11-24", "lostFrom": from, "lostThrough": through, "number": through - from + 1]]
    }

    @Test func aKioskReadsBackItsOwnEventsPageByPageAndNoOneElses() async throws {
        try await withLiveCentral { c in
            let k1 = try await c.register("k1", site: "s1")
            let k2 = try await c.register("k2", site: "s1")
            _ = try await c.call("POST", "/v1/events", token: k1, json: ["kiosk": "k1", "events": events(1...5)])
            _ = try await c.call("POST", "/v1/events", token: k2, json: ["kiosk": "k2", "events": events(1...3)])
            _ = try await c.call("POST", "/v1/events", token: k1, json: ["kiosk": "k1", "events": events(8...8)])  // after a gap

            var r = try await c.call("GET", "/v1/events?after=0&limit=2", token: k1)
            #expect(r.status == 200)
            let first = try JSONDecoder().decode(OwnEventsReply.self, from: r.raw)
            #expect(first.kiosk == "k1" && first.site == "s1")
            #expect(first.ackedSeq == 5 && first.highestSeq == 8)
            #expect(first.events.map(\.seq) == [1, 2])
            #expect(first.events[0].payload == .object(["day": .string("2026-11-24"), "n": .number("1")]))
            r = try await c.call("GET", "/v1/events?after=2&limit=1000", token: k1)
            let rest = try JSONDecoder().decode(OwnEventsReply.self, from: r.raw)
            #expect(rest.events.map(\.seq) == [3, 4, 5], "only up to the acknowledgement: #8 lies after a gap")
            r = try await c.call("GET", "/v1/events", token: k2)
            #expect(try JSONDecoder().decode(OwnEventsReply.self, from: r.raw).events.map(\.seq) == [1, 2, 3])

            r = try await c.call("GET", "/v1/events", token: c.adminToken)
            #expect(r.status == 403 && r.json["error"] as? String == "kiosk-only")
            r = try await c.call("GET", "/v1/events?after=-1", token: k1)
            #expect(r.status == 400 && r.json["error"] as? String == "bad-after")
            r = try await c.call("GET", "/v1/events?limit=1001", token: k1)
            #expect(r.status == 400 && r.json["error"] as? String == "bad-limit")
        }
    }

    @Test func seqsDeclaredLostAreSteppedOverAndTheOutboxDrainsAgain() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            _ = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...6)])
            // Restored from a backup ending at #5, the kiosk had stored up to #8: it declares
            // #6…#8 lost at #9 and goes on at #10. The centre keeps the #6 it holds.
            var r = try await c.call(
                "POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": [lost(9, from: 6, through: 8)] + events(10...11)])
            #expect(r.status == 200)
            #expect(r.json["ackedSeq"] as? Int == 11)
            #expect(try await c.count("k1") == 9)
            r = try await c.call("GET", "/v1/admin/kiosks", token: c.adminToken)
            let health = try JSONDecoder().decode(KiosksReply.self, from: r.raw).kiosks
            #expect(health.first?.lostEvents == 3, "IT sees that the kiosk lost 3 events")
            // A later upload goes on from there.
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(12...12)])
            #expect(r.json["ackedSeq"] as? Int == 12)
            // The copy read back has the declaration and not the seqs never sent.
            r = try await c.call("GET", "/v1/events?after=5", token: token)
            #expect(try JSONDecoder().decode(OwnEventsReply.self, from: r.raw).events.map(\.seq) == [6, 9, 10, 11, 12])
        }
    }

    @Test func aLossOfUnsentEventsIsSteppedOverAndABadRangeRefused() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            _ = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...2)])
            // The kiosk lost #3…#4 before they were ever sent: declared at #5, never sent.
            var r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": [lost(5, from: 3, through: 4)]])
            #expect(r.json["ackedSeq"] as? Int == 5)
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": [lost(9, from: 9, through: 9)]])
            #expect(r.status == 400 && r.json["error"] as? String == "bad-lost-range", "a range must lie before its declaration")
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": [lost(9, from: 0, through: 2)]])
            #expect(r.status == 400 && r.json["error"] as? String == "bad-lost-range")
            #expect(try await c.count("k1") == 3, "a refused batch stores nothing")
        }
    }
}
