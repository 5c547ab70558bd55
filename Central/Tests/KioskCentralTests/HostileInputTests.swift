import Foundation
import KioskProtocol
import Testing

@testable import KioskCentral

/// Input a kiosk (or anyone with a token) may send that must get a clear 4xx, never a 500 or a
/// stall (issue 13's findings against the live centre).
@Suite struct BodyCheckTests {
    @Test func nestingPastTheLimitIsFoundBeforeDecoding() {
        let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(BodyCheck.problem(in: Array(deep.utf8)) == .tooDeep(offset: ProtocolLimits.maxJSONDepth))
        let fine = #"{"a":[{"b":[1,2,{"c":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]}]}"#
        #expect(BodyCheck.problem(in: Array(fine.utf8)) == nil, "brackets inside strings do not count")
    }

    @Test func aNULEscapeIsFoundAndAnEscapedBackslashBeforeUIsNot() {
        #expect(BodyCheck.problem(in: Array(#"{"a":"x\u0000y"}"#.utf8)) == .nul(offset: 7))
        #expect(BodyCheck.problem(in: Array(#"{"a\u0000":1}"#.utf8)) == .nul(offset: 3))
        #expect(BodyCheck.problem(in: Array(#"{"a":"\\u0000"}"#.utf8)) == nil, "a backslash, then the text u0000")
        #expect(BodyCheck.problem(in: Array(#"{"a":"\u00e9\"\\"}"#.utf8)) == nil)
    }
}

@Suite(.enabled(if: hasDatabase, noDatabaseNote))
struct HostileInputTests {
    @Test func deeplyNestedPayloadsAreRefusedAtOnceAndOtherKiosksAreStillAnswered() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            let deep = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
            let body = #"{"kiosk":"k1","events":[{"seq":1,"type":"x","deviceTime":"2026-11-24T09:00:00Z","payload":{"a":"#
                + deep + "}}]}"
            let started = ContinuousClock.now
            let r = try await c.call("POST", "/v1/events", token: token, body: Data(body.utf8))
            #expect(r.status == 400)
            #expect(r.json["error"] as? String == "too-deep")
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(try await c.call("GET", "/v1/health", token: nil).status == 200)
        }
    }

    @Test func aNULCharacterAnywhereIsA400NotA500() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            let nul = "a\u{0}b"
            let attempts: [(String, String, String, Any)] = [
                ("payload", "POST", "/v1/events",
                 ["kiosk": "k1", "events": [["seq": 1, "type": "x", "deviceTime": "2026-11-24T09:00:00Z", "payload": ["n": nul]]]]),
                ("type", "POST", "/v1/events",
                 ["kiosk": "k1", "events": [["seq": 1, "type": nul, "deviceTime": "2026-11-24T09:00:00Z", "payload": [:]]]]),
                ("last error", "POST", "/v1/heartbeat", ["lastError": nul]),
                ("ack message", "POST", "/v1/commands/1/ack", ["result": "done", "message": nul]),
            ]
            for (what, method, path, json) in attempts {
                let r = try await c.call(method, path, token: token, json: json)
                #expect(r.status == 400, "\(what): \(r.status)")
                #expect(r.json["error"] as? String == "nul-character", "\(what)")
            }
            let admin: [(String, String, Any)] = [
                ("kiosk name", "/v1/admin/kiosks", ["kiosk": "k2", "site": "s1", "name": nul]),
                ("config body", "/v1/admin/config", ["site": "s1", "body": nul]),
                ("command argument", "/v1/admin/commands", ["kiosk": "k1", "type": "set-weather", "argument": nul]),
            ]
            for (what, path, json) in admin {
                let r = try await c.call("POST", path, token: c.adminToken, json: json)
                #expect(r.status == 400 && r.json["error"] as? String == "nul-character", "\(what): \(r.status)")
            }
        }
    }

    @Test func timesSeqsAndParametersOutsideTheSpecAreRefusedAndTheStreamStaysUsable() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            for time in ["0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "soon"] {
                let r = try await c.call(
                    "POST", "/v1/events", token: token,
                    json: ["kiosk": "k1", "events": [["seq": 1, "type": "x", "deviceTime": time, "payload": [:]]]])
                #expect(r.status == 400 && r.json["error"] as? String == "bad-device-time", "\(time)")
            }
            let huge = try await c.call(
                "POST", "/v1/events", token: token,
                json: ["kiosk": "k1", "events": [["seq": Int64.max, "type": "x", "deviceTime": "2026-11-24T09:00:00Z", "payload": [:]]]])
            #expect(huge.status == 400 && huge.json["error"] as? String == "bad-seq")
            let r = try await c.call("POST", "/v1/events", token: token, json: ["kiosk": "k1", "events": events(1...2)])
            #expect(r.status == 200 && r.json["ackedSeq"] as? Int == 2, "the kiosk's stream is not wedged")
            for query in ["wait=-134", "wait=31", "wait=soon"] {
                let p = try await c.call("GET", "/v1/commands?\(query)", token: token)
                #expect(p.status == 400 && p.json["error"] as? String == "bad-wait", "\(query)")
            }
            let l = try await c.call("GET", "/v1/admin/events?limit=0", token: c.adminToken)
            #expect(l.status == 400 && l.json["error"] as? String == "bad-limit")
        }
    }

    @Test func payloadNumbersAreStoredWithEveryDigitAndUndeclaredMethodsAre405() async throws {
        try await withLiveCentral { c in
            let token = try await c.register("k1", site: "s1")
            let body = #"{"kiosk":"k1","events":[{"seq":1,"type":"x","deviceTime":"2026-11-24T09:00:00Z","payload":{"n":12345678901234567891,"f":0.1}}]}"#
            let r = try await c.call("POST", "/v1/events", token: token, body: Data(body.utf8))
            #expect(r.status == 200)
            var stored = ""
            for try await t in try await c.store.client.query("SELECT payload->>'n' FROM events WHERE kiosk_id = 'k1'").decode(String.self) {
                stored = t
            }
            #expect(stored == "12345678901234567891")
            let read = try await c.call("GET", "/v1/admin/events?kiosk=k1", token: c.adminToken)
            #expect(String(decoding: read.raw, as: UTF8.self).contains(#""n":12345678901234567891"#))
            let trace = try await c.call("TRACE", "/v1/events", token: token)
            #expect(trace.status == 405 && trace.json["error"] as? String == "method-not-allowed")
            let delete = try await c.call("DELETE", "/v1/sites/s1/config", token: token)
            #expect(delete.status == 405)
            let nowhere = try await c.call("TRACE", "/v1/nowhere", token: token)
            #expect(nowhere.status == 404)
            let empty = try await c.call("GET", "/v1/admin/kiosks?site=", token: c.adminToken)
            #expect(empty.status == 400 && empty.json["error"] as? String == "bad-site-id")
        }
    }
}
