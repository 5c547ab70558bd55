import Foundation
import KioskCore
import KioskProtocol
import KioskStorage
import KioskTestSupport
import Testing

@testable import KioskSync

/// The call-back numbers a kiosk holds go to the centre with the case pull, and are erased here
/// exactly for the references the centre answers; a refusal keeps them for the next pull.
@Suite("Call-back numbers handed to the centre")
struct ContactHandoverTests {
    let t0 = Date(timeIntervalSince1970: 1_795_510_800)

    @Test func numbersStayUntilTheCentreKeepsThemThenOnlyTheMaskedFormRemains() throws {
        let folder = try CommandOutcomeTests.Folder()
        let ref = "R20261124-001", number = "13812345678"
        do {
            let store = try EventStore(path: folder.store)
            var e = KioskEvent(.caseContactGiven, at: t0, day: "2026-11-24")
            e.caseRef = ref
            e.contact = ContactNumber.masked(number)
            try store.append([e], kiosk: "k1", contacts: [
                CaseContact(ref: ref, number: number, consent: ContactConsent.key, consentVersion: ContactConsent.version, givenAt: WireTime.string(t0)),
            ])
            store.close()
        }
        let hasKey = LogLines()
        let centre = try RecordingCentre(answer: { method, path, body in
            let time = "2026-11-24T07:30:00.000Z"
            switch (method, path) {
            case ("POST", "/v1/events"):
                let upload = try? JSONDecoder().decode(UploadRequest.self, from: Data(body.utf8))
                return (200, #"{"ackedSeq":\#(upload?.events.last?.seq ?? 0),"stored":1,"duplicates":0,"serverTime":"\#(time)"}"#)
            case ("POST", "/v1/heartbeat"):
                return (200, #"{"serverTime":"\#(time)","kiosk":"k1","site":"tower-a"}"#)
            case ("POST", "/v1/contacts"):
                guard !hasKey.all.isEmpty else {
                    return (503, #"{"error":"contact-key-missing","message":"no key","hint":"start with --contact-key-file"}"#)
                }
                let upload = try? JSONDecoder().decode(ContactsUpload.self, from: Data(body.utf8))
                let refs = (upload?.contacts.map(\.ref) ?? []) + ["R20261124-999"]  // one it was not sent: ignored
                return (200, String(decoding: try! WireEncoder().encode(ContactsReply(stored: refs, serverTime: time)), as: UTF8.self))
            case ("GET", _) where path.hasPrefix("/v1/cases?"):
                return (200, #"{"cases":[],"next":0,"more":false,"serverTime":"\#(time)"}"#)
            default:
                return (200, "{}")
            }
        })
        let logged = LogLines()
        func worker() -> SyncWorker {
            SyncWorker(
                storePath: folder.store,
                options: .init(centralURL: "http://127.0.0.1:\(centre.port)", tokenFile: folder.token, kioskID: "k1", interval: 60, commandWait: 0),
                log: { logged.append($0) }, deliver: { _ in }, clock: VirtualClock(t0).clock())
        }
        func rows() throws -> [EventStore.ContactRow] {
            let store = try EventStore(readOnlyPath: folder.store)
            defer { store.close() }
            return try store.contacts()
        }

        _ = worker().drain()
        #expect(try rows().map(\.held) == [true], "refused: kept to send again")
        #expect(logged.all.contains { $0.contains("contact-key-missing") || $0.contains("did not take 1 call-back number") })
        #expect(!logged.all.joined().contains(number), "the log never has the number")

        hasKey.append("configured")
        _ = worker().drain()
        #expect(try rows().map(\.held) == [false] && rows().map(\.masked) == ["138****5678"])
        let posts = centre.requests.filter { $0.hasPrefix("POST /v1/contacts") }
        #expect(posts.count == 2 && posts.allSatisfy { $0.contains(number) }, "the number travels in this request only")
        #expect(!centre.requests.filter { $0.hasPrefix("POST /v1/events") }.joined().contains(number))

        _ = worker().drain()
        #expect(centre.requests.filter { $0.hasPrefix("POST /v1/contacts") }.count == 2, "nothing left to send: exactly once")
    }
}
