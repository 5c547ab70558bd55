import Foundation
import KioskProtocol
import Testing

@testable import KioskCentral

@Suite("Protocol and security on a real PostgreSQL", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct ProtocolTests {
    @Test func everyRouteOfTheSpecIsServedAndGuarded() async throws {
        try await withLiveCentral { c in
            for route in CentralRoutes.routeTable {
                let path = route.path.replacingOccurrences(of: "{site}", with: "s1")
                    .replacingOccurrences(of: "{kiosk}", with: "k1").replacingOccurrences(of: "{id}", with: "1")
                let r = try await c.call(route.method, path, token: nil, body: route.method == "POST" ? Data("{}".utf8) : nil)
                if route.path == "/v1/health" {
                    #expect(r.status == 200)
                } else {
                    #expect(r.status == 401, "\(route.method) \(route.path) answered \(r.status) without a token")
                    #expect(r.json["error"] as? String == "no-token")
                }
            }
        }
    }

    @Test func aBatchIsStoredOnceAndTheAnswerIsTheHighestContiguousSeq() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            var r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...5)])
            #expect(r.status == 200)
            #expect(r.json["ackedSeq"] as? Int == 5)
            #expect(r.json["stored"] as? Int == 5)
            #expect(r.json["serverTime"] as? String != nil)
            // The same batch again (a retry after a lost answer): nothing new, same answer.
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...5)])
            #expect(r.status == 200)
            #expect(r.json["ackedSeq"] as? Int == 5)
            #expect(r.json["duplicates"] as? Int == 5)
            // A gap: 8…9 are kept but not acknowledged until 6…7 arrive.
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(8...9)])
            #expect(r.json["ackedSeq"] as? Int == 5)
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(6...7)])
            #expect(r.json["ackedSeq"] as? Int == 9)
            #expect(try await c.count("k1") == 9)
        }
    }

    @Test func badBatchesGetClear4xxErrorsAndChangeNothing() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            _ = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...3)])
            let cases: [(String, Data, Int, String)] = [
                ("not JSON", Data("{\"kiosk\":".utf8), 400, "malformed"),
                ("missing events", try JSONSerialization.data(withJSONObject: ["kiosk": "k1"]), 400, "malformed"),
                ("duplicate seq in one batch",
                 try JSONSerialization.data(withJSONObject: ["kiosk": "k1", "events": events(4...5) + events(5...5)]), 400, "duplicate-seq"),
                ("bad device time",
                 try JSONSerialization.data(withJSONObject: ["kiosk": "k1", "events": [["seq": 4, "type": "x", "deviceTime": "yesterday", "payload": [:]]]]),
                 400, "bad-device-time"),
                ("seq 0", try JSONSerialization.data(withJSONObject: ["kiosk": "k1", "events": [["seq": 0, "type": "x", "deviceTime": "2026-11-24T09:00:00Z", "payload": [:]]]]), 400, "bad-seq"),
                ("too many events",
                 try JSONSerialization.data(withJSONObject: ["kiosk": "k1", "events": events(4...1004)]), 413, "batch-too-large"),
                ("too many bytes", Data(("{\"kiosk\":\"k1\",\"events\":[],\"pad\":\"" + String(repeating: "x", count: 5_000_000) + "\"}").utf8),
                 413, "body-too-large"),
            ]
            for (what, body, status, code) in cases {
                let r = try await c.call("POST", "/v1/events", token: token, body: body)
                #expect(r.status == status, "\(what): \(r.status)")
                #expect(r.json["error"] as? String == code, "\(what): \(r.json)")
                #expect((r.json["hint"] as? String)?.isEmpty == false, "\(what) says what to do")
            }
            #expect(try await c.count("k1") == 3)
        }
    }

    @Test func aSeqSentAgainWithOtherContentIsAConflictAndChangesNothing() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            var r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...3)])
            #expect(r.json["ackedSeq"] as? Int == 3)
            // 4…5 are new, but 2 differs from what is stored: the whole batch is refused.
            var changed = events(2...5)
            changed[0]["payload"] = ["day": "2026-11-24", "n": 99]
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": changed])
            #expect(r.status == 409)
            #expect(r.json["error"] as? String == "seq-conflict")
            let message = r.json["message"] as? String ?? ""
            #expect(message.contains("kiosk k1") && message.contains("seq 2"), "names the kiosk and the seq: \(message)")
            #expect((r.json["hint"] as? String)?.contains("admin events --kiosk k1") == true)
            #expect(try await c.count("k1") == 3, "nothing of the refused batch was stored")
            // Another device time is a conflict too; an identical re-send stays a harmless retry.
            var retimed = events(3...3)
            retimed[0]["deviceTime"] = "2026-11-24T09:00:01Z"
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": retimed])
            #expect(r.status == 409)
            r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...5)])
            #expect(r.status == 200)
            #expect(r.json["ackedSeq"] as? Int == 5)
            #expect(r.json["duplicates"] as? Int == 3)
        }
    }

    @Test func aCommandNeverAnsweredIsHandedOutAgainAfterTenMinutes() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            var r = try await c.call("POST", "/v1/admin/commands", token: c.adminToken, json: ["kiosk": "k1", "type": "sync"])
            let id = (r.json["ids"] as? [Int] ?? []).first ?? -1
            func handedOut() async throws -> [Int] {
                let r = try await c.call("GET", "/v1/commands", token: token)
                return (r.json["commands"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            }
            #expect(try await handedOut() == [id])
            #expect(try await handedOut() == [], "a command just delivered is not handed out twice")
            // The kiosk stopped before answering; ten minutes on, the command comes back.
            let back = "\(CentralStore.redeliverySeconds + 1) seconds"
            try await c.store.client.query("UPDATE commands SET delivered_at = now() - \(back)::interval WHERE id = \(id)")
            #expect(try await handedOut() == [id])
            r = try await c.call("POST", "/v1/commands/\(id)/ack", token: token, json: ["result": "done", "message": "synced"])
            #expect(r.status == 200)
            try await c.store.client.query("UPDATE commands SET delivered_at = now() - \(back)::interval WHERE id = \(id)")
            #expect(try await handedOut() == [], "an answered command is never handed out again")
        }
    }

    @Test func aKioskAcknowledgesItsCommandsAndITSeesTheOutcome() async throws {
        try await withLiveCentral { c in
            let t1 = try await c.register("k1", site: "s1")
            let t2 = try await c.register("k2", site: "s1")
            var r = try await c.call("POST", "/v1/admin/commands", token: c.adminToken, json: ["site": "s1", "type": "reload-config"])
            let ids = r.json["ids"] as? [Int] ?? []
            #expect(ids.count == 2)
            r = try await c.call("GET", "/v1/admin/commands?site=s1", token: c.adminToken)
            var list = r.json["commands"] as? [[String: Any]] ?? []
            #expect(list.map { $0["status"] as? String } == ["queued", "queued"])
            r = try await c.call("GET", "/v1/commands", token: t1)
            let mine = (r.json["commands"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            #expect(mine.count == 1)
            let id = mine[0]
            r = try await c.call("GET", "/v1/admin/commands?kiosk=k1", token: c.adminToken)
            #expect((r.json["commands"] as? [[String: Any]])?.first?["status"] as? String == "delivered")
            // Another kiosk cannot answer for it; a bad result is refused.
            r = try await c.call("POST", "/v1/commands/\(id)/ack", token: t2, json: ["result": "done"])
            #expect(r.status == 404)
            #expect(r.json["error"] as? String == "no-such-command")
            r = try await c.call("POST", "/v1/commands/\(id)/ack", token: t1, json: ["result": "maybe"])
            #expect(r.status == 400)
            r = try await c.call(
                "POST", "/v1/commands/\(id)/ack", token: t1,
                json: ["result": "failed", "message": "configuration version 2 refused: kiosk.conf:3: unknown key"])
            #expect(r.status == 200)
            #expect(r.json["status"] as? String == "failed")
            // A retry after a lost answer keeps the first outcome.
            r = try await c.call("POST", "/v1/commands/\(id)/ack", token: t1, json: ["result": "done", "message": "again"])
            #expect(r.json["status"] as? String == "failed")
            r = try await c.call("GET", "/v1/admin/commands?id=\(id)", token: c.adminToken)
            list = r.json["commands"] as? [[String: Any]] ?? []
            #expect(list.count == 1)
            #expect(list.first?["status"] as? String == "failed")
            #expect((list.first?["message"] as? String)?.contains("version 2 refused") == true)
            #expect(list.first?["ackedAt"] as? String != nil && list.first?["deliveredAt"] as? String != nil)
            r = try await c.call("GET", "/v1/admin/commands", token: t1)
            #expect(r.status == 403)
        }
    }

    @Test func aKioskTokenOnlyWritesAndReadsItsOwnKioskAndSite() async throws {
        try await withLiveCentral { c in
            let t1 = try await c.register("k1", site: "s1")
            _ = try await c.register("k2", site: "s2")
            _ = try await c.call("POST", "/v1/admin/config", token: c.adminToken, json: ["site": "s2", "body": "[kiosk]\n"])
            // Another kiosk's events, another site, the admin API: all refused.
            var r = try await c.call("POST", "/v1/events", token: t1, json: ["kiosk": "k2", "events": events(1...2)])
            #expect(r.status == 403)
            #expect(r.json["error"] as? String == "foreign-kiosk")
            r = try await c.call("POST", "/v1/events", token: t1, json: ["kiosk": "k1", "site": "s2", "events": events(1...2)])
            #expect(r.status == 403)
            r = try await c.call("GET", "/v1/sites/s2/config", token: t1)
            #expect(r.status == 403)
            #expect(r.json["error"] as? String == "foreign-site")
            for (method, path) in [("GET", "/v1/admin/kiosks"), ("GET", "/v1/admin/events"), ("GET", "/v1/admin/reports"),
                                   ("POST", "/v1/admin/kiosks"), ("POST", "/v1/admin/kiosks/k2/revoke")] {
                r = method == "GET"
                    ? try await c.call(method, path, token: t1)
                    : try await c.call(method, path, token: t1, json: ["kiosk": "k9", "site": "s1"])
                #expect(r.status == 403, "\(method) \(path)")
                #expect(r.json["error"] as? String == "admin-only")
            }
            #expect(try await c.count("k2") == 0)
            #expect(try await c.count("k1") == 0)
            // Its own site's config: allowed (204: nothing published yet).
            r = try await c.call("GET", "/v1/sites/s1/config", token: t1)
            #expect(r.status == 204)
        }
    }

    @Test func aRevokedOrUnknownTokenIsRefusedAndOnlyItsHashIsStored() async throws {
        try await withLiveCentral { c in
            let t1 = try await c.register("k1", site: "s1")
            var r = try await c.call("POST", "/v1/events", token: t1, json: ["kiosk": "k1", "events": events(1...1)])
            #expect(r.status == 200)
            r = try await c.call("POST", "/v1/admin/kiosks/k1/revoke", token: c.adminToken)
            #expect(r.status == 200)
            r = try await c.call("POST", "/v1/events", token: t1, json: ["kiosk": "k1", "events": events(2...2)])
            #expect(r.status == 401)
            #expect(r.json["error"] as? String == "bad-token")
            r = try await c.call("GET", "/v1/admin/kiosks", token: "kca_guessed")
            #expect(r.status == 401)
            var plain: Int64 = -1
            for try await n in try await c.store.client.query("SELECT count(*) FROM tokens WHERE hash = \(t1)").decode(Int64.self) {
                plain = n
            }
            #expect(plain == 0, "the plain token is not stored")
            // Re-registering issues a working new token.
            let t2 = try await c.register("k1", site: "s1")
            r = try await c.call("POST", "/v1/events", token: t2, json: ["kiosk": "k1", "events": events(2...2)])
            #expect(r.json["ackedSeq"] as? Int == 2)
        }
    }

    @Test func itsCommandsArePickedUpByLongPollWithinSeconds() async throws {
        try await withLiveCentral { c in
            let t1 = try await c.register("k1", site: "s1")
            async let polled = c.call("GET", "/v1/commands?wait=20", token: t1)
            try await Task.sleep(for: .milliseconds(300))
            let q = try await c.call("POST", "/v1/admin/commands", token: c.adminToken, json: ["site": "s1", "type": "sync"])
            #expect(q.status == 201)
            let started = ContinuousClock.now
            let r = try await polled
            #expect(ContinuousClock.now - started < .seconds(10))
            let commands = r.json["commands"] as? [[String: Any]] ?? []
            #expect(commands.map { $0["type"] as? String } == ["sync"])
            // Delivered once.
            let again = try await c.call("GET", "/v1/commands", token: t1)
            #expect((again.json["commands"] as? [Any])?.isEmpty == true)
            let bad = try await c.call("POST", "/v1/admin/commands", token: c.adminToken, json: ["kiosk": "k1", "type": "reboot"])
            #expect(bad.status == 400)
        }
    }

    @Test func heartbeatsShowInTheKioskListAndConfigIsVersioned() async throws {
        try await withLiveCentral { c in
            let t1 = try await c.register("k1", site: "s1")
            var r = try await c.call(
                "POST", "/v1/heartbeat", token: t1,
                json: ["version": "1.2", "backlog": 42, "lastError": "offline", "clockOffsetMs": -1500, "configVersion": 0])
            #expect(r.status == 200)
            #expect(r.json["site"] as? String == "s1", "the kiosk learns its site for fetching its configuration")
            r = try await c.call("GET", "/v1/admin/kiosks?site=s1", token: c.adminToken)
            let k = (r.json["kiosks"] as? [[String: Any]])?.first ?? [:]
            #expect(k["backlog"] as? Int == 42)
            #expect(k["lastError"] as? String == "offline")
            #expect(k["clockOffsetMs"] as? Int == -1500)
            r = try await c.call("POST", "/v1/admin/config", token: c.adminToken, json: ["site": "s1", "body": "[kiosk]\nweather = rain\n"])
            #expect(r.json["version"] as? Int == 1)
            r = try await c.call("POST", "/v1/admin/config", token: c.adminToken, json: ["site": "s1", "body": "[kiosk]\nweather = hot\n"])
            #expect(r.json["version"] as? Int == 2)
            r = try await c.call("GET", "/v1/sites/s1/config?after=1", token: t1)
            #expect(r.json["version"] as? Int == 2)
            #expect(r.json["body"] as? String == "[kiosk]\nweather = hot\n")
            r = try await c.call("GET", "/v1/sites/s1/config?after=2", token: t1)
            #expect(r.status == 204)
        }
    }

    @Test func migrationsAreRecordedAndRunOnlyOnce() async throws {
        try await withLiveCentral { c in
            let again = try await applyCentralMigrations(c.store.client, logger: c.store.logger)
            #expect(again.isEmpty)
            var versions: [Int32] = []
            for try await v in try await c.store.client.query("SELECT version FROM schema_migrations ORDER BY version").decode(Int32.self) {
                versions.append(v)
            }
            #expect(versions.map(Int.init) == centralMigrations.map(\.version))
        }
    }
}
