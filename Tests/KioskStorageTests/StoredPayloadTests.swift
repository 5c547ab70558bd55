import Foundation
import KioskCore
import Testing

@testable import KioskStorage

/// Rows read through `KioskEvent.decodeStored`: a payload in another valid JSON form (an older
/// writer's, a hand repair's) still reads through JSONDecoder, and a damaged one still stops the
/// read with the error naming its seq, never a crash and never a row silently dropped.
@Suite("Stored payloads")
struct StoredPayloadTests {
    @Test func aPayloadInAnotherValidFormReadsAsBefore() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        let events = sampleBatches().flatMap { $0 }
        _ = try store.append(events, kiosk: "kiosk-7")
        // The same event as JSONDecoder reads it: whitespace, other key order, an unknown key.
        let other = #"{ "type": "ticket.issued", "time": "2026-11-24T09:01:00Z", "day": "2026-11-24", "ticket": "A\u0030\u00301", "future": [1, {"x": null}] }"#
        try store.conn.run("UPDATE events SET payload = ? WHERE seq = 3", [.text(other)], doing: "rewriting a payload")
        let read = try store.events()
        #expect(read.count == events.count)
        #expect(try read[2].event == KioskEvent.makeDecoder().decode(KioskEvent.self, from: Data(other.utf8)))
        #expect(read[2].event.ticket == "A001")
        #expect(read.enumerated().allSatisfy { $0.offset == 2 || $0.element.event == events[$0.offset] })
    }

    @Test(arguments: [
        "{\"day\":\"2026-11-24\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"", "not json", "",
        "{\"day\":\"2026-11-24\",\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.vanished\"}",
        "{\"day\":\"2026-11-24\",\"time\":\"yesterday\",\"type\":\"ticket.issued\"}",
        "{\"day\":\"2026-11-24\",\"number\":1.5,\"time\":\"2026-11-24T09:00:00Z\",\"type\":\"ticket.issued\"}",
    ])
    func aDamagedPayloadStopsTheReadNamingItsSeq(payload: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        _ = try store.append(sampleBatches().flatMap { $0 }, kiosk: "kiosk-7")
        try store.conn.run("UPDATE events SET payload = ? WHERE seq = 4", [.text(payload)], doing: "damaging a payload")
        let error = expectStorageError { _ = try store.events() }
        #expect(error?.kind == .corrupt)
        #expect(error?.message.hasPrefix("event 4 cannot be read") == true, "\(String(describing: error))")
        #expect(try store.events(since: 4).count > 0, "the rows after it still read")
    }
}
