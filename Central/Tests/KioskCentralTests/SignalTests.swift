import Foundation
import KioskProtocol
import Logging
import PostgresNIO
import Testing

@testable import KioskCentral

/// Two centre processes on one database behave as one: commands, revocations, configurations
/// and cases made through one reach requests waiting on the other through PostgreSQL's
/// LISTEN/NOTIFY (`CentralSignals`), without polling the database.
@Suite(.enabled(if: hasDatabase, noDatabaseNote))
struct SignalTests {
    /// Two processes (A, B) on a fresh database.
    func withTwoProcesses(_ body: @Sendable (LiveCentral, LiveCentral) async throws -> Void) async throws {
        try await withFreshDatabase { location in
            try await withCentralProcess(on: location, migrate: true) { a in
                try await withCentralProcess(on: location, migrate: false) { b in
                    try await body(a, LiveCentral(base: b.base, adminToken: a.adminToken, store: b.store))
                }
            }
        }
    }

    /// Waits (bounded) until `kiosk`'s long-poll is parked in `c`'s process.
    func untilWaiting(_ c: LiveCentral, count: Int = 1) async throws {
        for _ in 0..<400 where c.store.signals.commandWaiters.count < count { try await Task.sleep(for: .milliseconds(5)) }
        #expect(c.store.signals.commandWaiters.count == count, "the long-poll waits")
    }

    @Test func aCommandQueuedThroughOneProcessReachesALongPollOnTheOtherWithinASecond() async throws {
        try await withTwoProcesses { a, b in
            let token = try await a.register("k1", site: "s1")
            async let polled = a.call("GET", "/v1/commands?wait=25", token: token)
            try await untilWaiting(a)
            let q = try await b.call("POST", "/v1/admin/commands", token: b.adminToken, json: ["kiosk": "k1", "type": "sync"])
            #expect(q.status == 201)
            let queued = ContinuousClock.now
            let r = try await polled
            let delivery = ContinuousClock.now - queued
            #expect((r.json["commands"] as? [[String: Any]])?.map { $0["type"] as? String } == ["sync"])
            #expect(delivery < .seconds(1), "delivered \(delivery) after it was queued on the other process")
        }
    }

    @Test func aTokenRevokedThroughOneProcessIsRefusedByTheOtherAtOnce() async throws {
        try await withTwoProcesses { a, b in
            let token = try await a.register("k1", site: "s1")
            var r = try await a.call("POST", "/v1/heartbeat", token: token, json: ["version": "1"])
            #expect(r.status == 200, "A knows (and caches) the token")
            r = try await b.call("POST", "/v1/admin/kiosks/k1/revoke", token: b.adminToken)
            #expect(r.status == 200)
            let revoked = ContinuousClock.now
            var status = 200
            while status == 200, ContinuousClock.now - revoked < .seconds(5) {
                status = try await a.call("POST", "/v1/heartbeat", token: token, json: ["version": "1"]).status
            }
            #expect(status == 401)
            #expect(ContinuousClock.now - revoked < .seconds(1), "A forgot the token on B's signal, not at the cache's expiry")
        }
    }

    @Test func aLongPollOpenedBeforeItsTokenWasRevokedIsHandedNothing() async throws {
        try await withTwoProcesses { a, b in
            let token = try await a.register("k1", site: "s1")
            async let polled = a.call("GET", "/v1/commands?wait=3", token: token)
            try await untilWaiting(a)
            #expect(try await b.call("POST", "/v1/admin/kiosks/k1/revoke", token: b.adminToken).status == 200)
            let q = try await b.call("POST", "/v1/admin/commands", token: b.adminToken, json: ["kiosk": "k1", "type": "sync"])
            let id = (q.json["ids"] as? [Int])?.first ?? 0
            let r = try await polled
            #expect((r.json["commands"] as? [Any])?.isEmpty == true, "nothing for a revoked token: \(r.json)")
            let status = try await b.call("GET", "/v1/admin/commands?id=\(id)", token: b.adminToken)
            #expect((status.json["commands"] as? [[String: Any]])?.first?["status"] as? String == "queued")
        }
    }

    @Test func theListeningConnectionComesBackAndNothingIsMissedMeanwhile() async throws {
        try await withTwoProcesses { a, b in
            let token = try await a.register("k1", site: "s1")
            async let polled = a.call("GET", "/v1/commands?wait=25", token: token)
            try await untilWaiting(a)
            // Cut every signal connection of the database, then queue at once: the notification
            // may be lost, the command must not be.
            try await b.store.client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(SignalListener.applicationName) AND datname = current_database()")
            let q = try await b.call("POST", "/v1/admin/commands", token: b.adminToken, json: ["kiosk": "k1", "type": "sync"])
            #expect(q.status == 201)
            let queued = ContinuousClock.now
            let r = try await polled
            #expect((r.json["commands"] as? [[String: Any]])?.count == 1)
            #expect(ContinuousClock.now - queued < .seconds(5), "the re-check after reconnecting found it")
            await a.store.signals.untilListening()
            await b.store.signals.untilListening()
            // Listening again: the next command is a signal away.
            async let second = a.call("GET", "/v1/commands?wait=25", token: token)
            try await untilWaiting(a)
            _ = try await b.call("POST", "/v1/admin/commands", token: b.adminToken, json: ["kiosk": "k1", "type": "set-weather", "argument": "rain"])
            let again = ContinuousClock.now
            let r2 = try await second
            #expect((r2.json["commands"] as? [[String: Any]])?.first?["type"] as? String == "set-weather")
            #expect(ContinuousClock.now - again < .seconds(1))
        }
    }

    @Test func aConfigurationPublishedThroughOneProcessIsOfferedByTheOther() async throws {
        try await withTwoProcesses { a, b in
            let token = try await a.register("k1", site: "s1")
            var r = try await a.call("GET", "/v1/sites/s1/config?after=0", token: token)
            #expect(r.status == 204, "nothing published yet (and A remembers that)")
            r = try await b.call("POST", "/v1/admin/config", token: b.adminToken, json: ["site": "s1", "body": "[kiosk]\nweather = rain\n"])
            #expect(r.json["version"] as? Int == 1)
            let published = ContinuousClock.now
            var version: Int?
            while version == nil, ContinuousClock.now - published < .seconds(5) {
                version = try await a.call("GET", "/v1/sites/s1/config?after=0", token: token).json["version"] as? Int
            }
            #expect(version == 1)
            #expect(ContinuousClock.now - published < .seconds(1))
            r = try await a.call("GET", "/v1/sites/s1/config?after=1", token: token)
            #expect(r.status == 204)
        }
    }

    @Test func heartbeatsAreValidatedBeforeTheyAreKeptAndShownAfterTheWrite() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            for bad: [String: Any] in [
                ["oldestUnsent": "soon"], ["lastSuccess": "0000-01-01T00:00:00Z"], ["lastSuccess": "10000-01-01T00:00:00Z"],
                ["lastError": "a\u{0}b"], ["version": "\u{0}"],
            ] {
                let r = try await c.call("POST", "/v1/heartbeat", token: token, json: bad)
                #expect(r.status == 400, "\(bad) is refused")
                #expect((r.json["hint"] as? String)?.isEmpty == false)
            }
            let r = try await c.call(
                "POST", "/v1/heartbeat", token: token,
                json: ["configVersion": 1 << 40, "backlog": 3, "oldestUnsent": "2026-12-03T08:00:00Z"])
            #expect(r.status == 200)
            let list = try await c.call("GET", "/v1/admin/kiosks", token: c.adminToken)
            let k = (list.json["kiosks"] as? [[String: Any]])?.first ?? [:]
            #expect(k["configVersion"] as? Int == 1 << 40)
            #expect(k["backlog"] as? Int == 3)
            #expect(k["lastSeen"] != nil)
        }
    }
}
