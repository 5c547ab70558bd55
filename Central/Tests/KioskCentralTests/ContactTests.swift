import Foundation
import KioskCore
import KioskProtocol
import PostgresNIO
import Testing

@testable import KioskCentral

/// The key: sealed with swift-crypto's AES-GCM, bound to its case, read from a file with clear
/// errors. No database needed.
@Suite("Call-back numbers: the contact key")
struct ContactKeyTests {
    static let hex = String(repeating: "0123456789abcdef", count: 4)

    @Test func aNumberSealedForOneCaseOpensOnlyForItWithTheSameKey() throws {
        let key = try ContactKey(hex: Self.hex)
        let sealed = try key.seal("13812345678", site: "s1", ref: "R20261203-001")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("13812345678"))
        #expect(try key.open(sealed, site: "s1", ref: "R20261203-001") == "13812345678")
        #expect(throws: (any Error).self) { _ = try key.open(sealed, site: "s2", ref: "R20261203-001") }
        #expect(throws: (any Error).self) { _ = try key.open(sealed, site: "s1", ref: "R20261203-002") }
        let other = try ContactKey(hex: String(repeating: "f", count: 64))
        #expect(other.id != key.id)
        #expect(throws: (any Error).self) { _ = try other.open(sealed, site: "s1", ref: "R20261203-001") }
        // Two seals of one number differ (a fresh nonce each time).
        #expect(try key.seal("13812345678", site: "s1", ref: "R20261203-001") != sealed)
    }

    @Test func aMissingOrMalformedKeyFileSaysWhatToDo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("contact-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("none.key").path
        #expect(throws: CentralError.self) { _ = try ContactKey.load(path: missing) }
        do { _ = try ContactKey.load(path: missing) } catch { #expect(error.hint.contains("openssl rand -hex 32")) }
        let short = dir.appendingPathComponent("short.key").path
        try "abcd\n".write(toFile: short, atomically: true, encoding: .utf8)
        do {
            _ = try ContactKey.load(path: short)
            Issue.record("a short key was accepted")
        } catch {
            #expect(error.message.contains("not 64 hex digits") && error.message.contains(short))
        }
        let good = dir.appendingPathComponent("good.key").path
        try (Self.hex + "\n").write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try ContactKey.load(path: good).id == ContactKey(hex: Self.hex).id)
        #expect(ContactEraser.parseRetention("90d") == 90 * 86400 && ContactEraser.parseRetention("45s") == 45)
        #expect(ContactEraser.parseRetention("soon") == nil && ContactEraser.parseRetention("-3d") == nil)
    }
}

/// The number at the centre, on real PostgreSQL: stored once and sealed, masked in every state,
/// opened only with a recorded view, erased on request and after the retention, once each.
@Suite("Call-back numbers at the centre (real PostgreSQL)", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct ContactCentreTests {
    static let number = "13812345678"
    static let ref = "R20261203-001"

    static func contactJSON(_ ref: String = ref, number: String = number) -> [String: Any] {
        ["contacts": [["ref": ref, "number": number, "masked": ContactNumber.masked(number), "consent": "pad.contact.consent",
                       "consentVersion": "2026-12-03", "givenAt": "2026-12-03T09:01:00Z"]]]
    }

    /// The kiosk's events of a case with a number given (the masked form only).
    static func caseWithContact() -> [(Int64, KioskEvent)] {
        [
            (1, openedEvent(ref)),
            (2, caseEvent(.caseContactAsked, ref, minutes: 0.5) { $0.counter = 2; $0.consent = "pad.contact.consent"; $0.consentVersion = "2026-12-03" }),
            (3, caseEvent(.caseContactGiven, ref, minutes: 1) { $0.counter = 2; $0.contact = "138****5678"; $0.consent = "pad.contact.consent"; $0.consentVersion = "2026-12-03" }),
        ]
    }

    @Test func aNumberIsStoredOnceSealedAndMaskedEverywhere() async throws {
        let key = try ContactKey(hex: ContactKeyTests.hex)
        try await withLiveCentral(contacts: ContactSettings(key: key, retention: 60)) { c in
            let k1 = try await c.register("k1", site: "s1")
            try await c.upload(k1, kiosk: "k1", Self.caseWithContact())
            var first = try await c.call("POST", "/v1/contacts", token: k1, json: Self.contactJSON())
            #expect(first.status == 200 && first.json["stored"] as? [String] == [Self.ref])
            let sealed = try await c.scalar("SELECT length(sealed) FROM case_contacts")
            // The answer was lost: sent again, acknowledged again, stored once.
            first = try await c.call("POST", "/v1/contacts", token: k1, json: Self.contactJSON())
            #expect(first.status == 200 && first.json["stored"] as? [String] == [Self.ref])
            #expect(try await c.scalar("SELECT count(*) FROM case_contacts") == 1)
            #expect(try await c.scalar("SELECT length(sealed) FROM case_contacts") == sealed)
            // Nowhere in clear: not the sealed value, not an event, not a case state.
            for sql in ["SELECT count(*) FROM case_contacts WHERE position('\(Self.number)'::bytea in sealed) > 0",
                        "SELECT count(*) FROM events WHERE payload::text LIKE '%\(Self.number)%'",
                        "SELECT count(*) FROM case_events WHERE payload::text LIKE '%\(Self.number)%'",
                        "SELECT count(*) FROM cases WHERE state::text LIKE '%\(Self.number)%'"] {
                #expect(try await c.scalar(sql) == 0, "\(sql)")
            }
            let pulled = try #require(try await c.pull(k1, after: 0).reply)
            #expect(pulled.cases.first?.contact == "138****5678")
            #expect(try await c.store.contactRecord(site: "s1", ref: Self.ref)?.held == true)

            // A bad number is refused whole; a centre without its key keeps nothing and says why.
            let bad = try await c.call("POST", "/v1/contacts", token: k1, json: Self.contactJSON("R20261203-002", number: "23812345678"))
            #expect(bad.status == 400 && bad.json["error"] as? String == "bad-contact")
            #expect(!String(decoding: bad.raw, as: UTF8.self).contains("23812345678"))
            var keyless = c.store
            keyless.contacts.key = nil
            let refused = await apiErrorCode {
                _ = try await keyless.storeContacts(site: "s1", [CaseContact(ref: "R20261203-003", number: Self.number, consent: "k", consentVersion: "1", givenAt: "2026-12-03T09:01:00Z")])
            }
            #expect(refused == "contact-key-missing")
            #expect(try await c.scalar("SELECT count(*) FROM case_contacts") == 1)
        }
    }

    @Test func everyViewIsRecordedAndErasureHappensOnceOnRequestOrAfterRetention() async throws {
        let key = try ContactKey(hex: ContactKeyTests.hex)
        try await withLiveCentral(contacts: ContactSettings(key: key, retention: 60)) { c in
            let k1 = try await c.register("k1", site: "s1")
            let second = "R20261203-002"
            try await c.upload(k1, kiosk: "k1", Self.caseWithContact() + [(4, openedEvent(second, minutes: 2, ticket: "A002"))])
            #expect(try await c.call("POST", "/v1/contacts", token: k1, json: Self.contactJSON()).status == 200)
            #expect(try await c.call("POST", "/v1/contacts", token: k1, json: Self.contactJSON(second, number: "13900001111")).status == 200)

            #expect(try await c.store.revealContact(site: "s1", ref: Self.ref, actor: "wang") == Self.number)
            #expect(try await c.store.revealContact(site: "s1", ref: Self.ref, actor: "li") == Self.number)
            let detail = try #require(try await c.store.caseDetail(site: "s1", ref: Self.ref))
            let views = detail.timeline.filter { $0.type == "case.contact-viewed" }
            #expect(views.map(\.actor) == ["wang", "li"] && views.allSatisfy { $0.event?.contact == "138****5678" })

            // On request: erased once, recorded once; nothing left to open.
            #expect(try await c.store.eraseContact(site: "s1", ref: Self.ref, why: "request", actor: "admin"))
            #expect(try await c.store.eraseContact(site: "s1", ref: Self.ref, why: "request", actor: "admin") == false)
            #expect(try await c.store.revealContact(site: "s1", ref: Self.ref, actor: "wang") == nil)
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE type = 'case.contact-erased'") == 1)
            let erased = try #require(try await c.store.findCase(site: "s1", ref: Self.ref))
            #expect(erased.contact == "138****5678" && erased.contactErased == true)

            // Retention (60 s here): counted from the closing of the case, not before.
            let closedAt = caseMorning.addingTimeInterval(30 * 60)
            try await c.upload(k1, kiosk: "k1", [
                (5, caseEvent(.caseResolved, second, minutes: 20) { $0.rootCause = "cause.staff" }),
                (6, caseEvent(.caseClosed, second, minutes: 30) { $0.satisfied = true }),
            ])
            #expect(try await c.store.nextContactErasure() == closedAt.addingTimeInterval(60))
            #expect(try await c.store.eraseExpiredContacts(at: closedAt.addingTimeInterval(59)) == 0)
            #expect(try await c.store.eraseExpiredContacts(at: closedAt.addingTimeInterval(61)) == 1)
            #expect(try await c.store.eraseExpiredContacts(at: closedAt.addingTimeInterval(120)) == 0)
            #expect(try await c.store.nextContactErasure() == nil)
            #expect(try await c.store.contactRecord(site: "s1", ref: second)?.erasedWhy == "retention")
            #expect(try await c.scalar("SELECT count(*) FROM case_contacts WHERE sealed IS NOT NULL") == 0)
        }
    }
}

/// Keeping the resident informed: received, replied, resolved and an apology, each once per
/// case through notify-command with the number and the catalog's words, each recorded on the case.
@Suite("Messages to residents (real PostgreSQL)", .enabled(if: hasDatabase, noDatabaseNote), .serialized)
struct ResidentMessageTests {
    /// The number can reach the centre before its case (the events' upload failed, the contacts'
    /// went through): the resident still hears "received", once, when the case arrives.
    @Test func aNumberBeforeItsCaseIsStillAnnouncedOnceWhenTheCaseArrives() async throws {
        let key = try ContactKey(hex: ContactKeyTests.hex)
        try await withLiveCentral(contacts: ContactSettings(key: key)) { c in
            let k1 = try await c.register("k1", site: "s1")
            let ref = ContactCentreTests.ref
            #expect(try await c.call("POST", "/v1/contacts", token: k1, json: ContactCentreTests.contactJSON()).status == 200)
            func queued() async throws -> Int64? {
                try await c.scalar("SELECT count(*) FROM notifications WHERE ref = '\(ref)' AND level = 'resident.received'")
            }
            #expect(try await queued() == 0)  // no case yet: nothing to announce
            try await c.upload(k1, kiosk: "k1", ContactCentreTests.caseWithContact())
            #expect(try await queued() == 1)
            #expect(try await c.call("POST", "/v1/contacts", token: k1, json: ContactCentreTests.contactJSON()).status == 200)
            try await c.upload(k1, kiosk: "k1", ContactCentreTests.caseWithContact())  // sent again
            #expect(try await queued() == 1)
        }
    }

    @Test func eachStepIsSentOnceWithTheNumberAndRecordedOnTheCase() async throws {
        let key = try ContactKey(hex: ContactKeyTests.hex)
        try await withLiveCentral(contacts: ContactSettings(key: key)) { c in
            let k1 = try await c.register("k1", site: "s1")
            let ref = ContactCentreTests.ref, late = "R20261203-002"
            try await c.upload(k1, kiosk: "k1", ContactCentreTests.caseWithContact() + [
                (4, openedEvent(late, minutes: 2, ticket: "A002")),
                (5, openedEvent("R20261203-003", minutes: 3, ticket: "A003")),  // no number: never messaged
            ])
            for (r, number) in [(ref, "13812345678"), (late, "13900001111")] {
                #expect(try await c.call("POST", "/v1/contacts", token: k1, json: ContactCentreTests.contactJSON(r, number: number)).status == 200)
            }
            // Sent again (a lost answer): no second "received".
            #expect(try await c.call("POST", "/v1/contacts", token: k1, json: ContactCentreTests.contactJSON()).status == 200)

            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resident-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }
            let out = dir.appendingPathComponent("sent.txt"), script = dir.appendingPathComponent("sms.sh")
            try "#!/bin/sh\nprintf '%s|%s|%s|%s\\n' \"$1\" \"$2\" \"$3\" \"$4\" >> \(out.path)\n".write(to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            var notifier = Notifier(store: c.store, command: try NotifyCommand(script.path + " {ref} {level} {phone} {message}", timeout: 10))
            if case .success(let catalogs) = CatalogParser.loadAll(directory: repositoryRoot.appendingPathComponent("Kiosk/messages").path) {
                notifier.catalogs = catalogs
            }
            func sent() -> [String] { ((try? String(contentsOf: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

            try await notifier.runDue(at: Date().addingTimeInterval(1))
            #expect(sent().count == 2)
            let received = try #require(sent().first { $0.hasPrefix(ref) })
            #expect(received.hasPrefix("\(ref)|resident.received|13812345678|【客户服务中心】您反映的问题已受理，跟进单号 \(ref)"))

            // Replied, resolved, reopened and resolved again: each step once.
            try await c.upload(k1, kiosk: "k1", [
                (6, caseEvent(.caseContacted, ref, minutes: 10) { $0.channel = .phone; $0.note = "called back" }),
                (7, caseEvent(.caseResolved, ref, minutes: 20) { $0.rootCause = "cause.staff" }),
                (8, caseEvent(.caseReopened, ref, minutes: 25) { $0.note = "not fixed" }),
                (9, caseEvent(.caseResolved, ref, minutes: 40) { $0.rootCause = "cause.staff" }),
            ])
            // The other case falls behind: its resolution is near (75 % of 6 h) → one apology.
            try await CaseEscalator(store: c.store).escalateDue(at: caseMorning.addingTimeInterval(300 * 60))
            try await notifier.runDue(at: Date().addingTimeInterval(1))
            try await notifier.runDue(at: Date().addingTimeInterval(2))
            // (The managers' escalations go through the same command: only the residents' here.)
            let levels = sent().filter { $0.contains("|resident.") }.map { $0.split(separator: "|").prefix(2).joined(separator: " ") }.sorted()
            #expect(levels == ["\(ref) resident.received", "\(ref) resident.replied", "\(ref) resident.resolved",
                               "\(late) resident.apology", "\(late) resident.received"])
            let apology = try #require(sent().first { $0.contains("resident.apology") })
            #expect(apology.contains("13900001111") && apology.contains("非常抱歉"))
            #expect(try await c.scalar("SELECT count(*) FROM notifications WHERE ref = 'R20261203-003' AND level LIKE 'resident.%'") == 0)
            let outcomes = try await c.scalar("SELECT count(*) FROM case_events WHERE type = 'case.resident-notified' AND payload->>'detail' = 'sent'")
            #expect(outcomes == 5)
            #expect(try await c.scalar("SELECT count(*) FROM case_events WHERE payload::text LIKE '%13812345678%'") == 0)

            // An erased number is never messaged: the step is recorded as skipped.
            try await c.store.eraseContact(site: "s1", ref: late, why: "request")
            try await c.upload(k1, kiosk: "k1", [(10, caseEvent(.caseContacted, late, minutes: 301) { $0.channel = .phone; $0.note = "x" })])
            #expect(try await c.scalar("SELECT count(*) FROM notifications WHERE ref = '\(late)' AND level = 'resident.replied'") == 0)
        }
    }
}
