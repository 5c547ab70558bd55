import Foundation
import KioskCore
import KioskProtocol
import Testing

@testable import KioskStorage

/// Call-back numbers in the kiosk database (schema v7), on a real SQLite file: stored with their
/// event or not at all, never in the event log, erased once the centre acknowledges them.
@Suite("Call-back numbers in the kiosk database")
struct ContactStorageTests {
    static let number = "13812345678"

    func given(_ ref: String, _ number: String, at seconds: Double) -> ([KioskEvent], CaseContact) {
        let contact = CaseContact(ref: ref, number: number, consent: "pad.contact.consent", consentVersion: "2026-12-03",
                                  givenAt: WireTime.string(t0.addingTimeInterval(seconds)))
        let e = event(.caseContactGiven, seconds, ticket: "A001") {
            $0.caseRef = ref; $0.contact = contact.masked; $0.counter = 1
        }
        return ([e], contact)
    }

    @Test func aNumberIsKeptApartFromTheLogUntilTheCentreHasIt() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        let (events, contact) = given("R20261124-001", Self.number, at: 10)
        try store.append(events, kiosk: "k1", contacts: [contact])
        let (more, other) = given("R20261124-002", "13900001111", at: 20)
        try store.append(more, kiosk: "k1", contacts: [other])

        #expect(try store.pendingContacts().map(\.number) == [Self.number, "13900001111"])
        #expect(try store.pendingContacts().first?.consentVersion == "2026-12-03")
        let payloads = try store.events().map { String(decoding: try KioskEvent.makeEncoder().encode($0.event), as: UTF8.self) }
        #expect(payloads.allSatisfy { !$0.contains(Self.number) } && payloads.first?.contains("138****5678") == true)

        try store.contactsDelivered(["R20261124-001"], at: t0.addingTimeInterval(30))
        #expect(try store.pendingContacts().map(\.ref) == ["R20261124-002"])
        let rows = try store.contacts()
        #expect(rows.map(\.masked) == ["138****5678", "139****1111"] && rows.map(\.held) == [false, true])
        // Nothing of the first number is left in the file's table.
        #expect(try store.conn.scalarInt("SELECT count(*) FROM case_contacts WHERE number = ?", [.text(Self.number)], doing: "checking") == 0)
    }

    @Test func aBatchThatCannotBeStoredKeepsNoNumberEither() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let store = try EventStore(path: dir.dbPath)
        defer { store.close() }
        // A contact without a reference breaks the table's CHECK: the whole batch is refused.
        let (events, given) = given("R20261124-001", Self.number, at: 10)
        var contact = given
        contact.ref = ""
        #expect(throws: StorageError.self) { try store.append(events, kiosk: "k1", contacts: [contact]) }
        #expect(try store.eventCount() == 0 && store.pendingContacts().isEmpty)
    }
}
