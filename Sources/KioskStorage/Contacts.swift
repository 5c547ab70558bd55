#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore

/// # Call-back numbers until the centre has them (schema v7)
///
/// A number given at the pad is written here in the transaction that stores its
/// `case.contact-given` event (which holds only the masked form), so a crash never keeps one
/// without the other. The sync worker sends the rows whose `number` is still set
/// (`pendingContacts`); when the centre acknowledges a reference, `contactsDelivered` erases the
/// number and only the masked form stays. Nothing else reads this table: `kioskctl events`,
/// reports and logs see events, which never carry a number.
extension EventStore {
    /// One contact row as `kioskctl` may show it: never the number, only whether it is still held.
    public struct ContactRow: Equatable, Sendable {
        public var ref: String
        public var masked: String
        public var held: Bool
        public var deliveredAt: Date?
    }

    /// Writes a contact inside the caller's transaction (`append`). A reference keeps its first.
    func keep(_ contact: CaseContact) throws {
        try conn.run(
            """
            INSERT INTO case_contacts (ref, number, masked, consent, consent_version, given_at)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ref) DO NOTHING
            """,
            [.text(contact.ref), .text(contact.number), .text(contact.masked), .text(contact.consent),
             .text(contact.consentVersion), .text(contact.givenAt)],
            doing: "keeping the call-back number of case \(contact.ref)")
    }

    /// The contacts whose full number the centre has not acknowledged yet, oldest first.
    public func pendingContacts(limit: Int = 100) throws -> [CaseContact] {
        var out: [CaseContact] = []
        try conn.query(
            """
            SELECT ref, number, consent, consent_version, given_at FROM case_contacts
            WHERE number IS NOT NULL ORDER BY given_at, ref LIMIT ?
            """, [.int(Int64(max(1, limit)))], doing: "reading the call-back numbers to send"
        ) { r in
            out.append(CaseContact(ref: r.text(0) ?? "", number: r.text(1) ?? "", consent: r.text(2) ?? "",
                                   consentVersion: r.text(3) ?? "", givenAt: r.text(4) ?? ""))
        }
        return out
    }

    /// The centre keeps these references' numbers now: erase ours, keeping the masked form.
    public func contactsDelivered(_ refs: [String], at time: Date) throws {
        guard !refs.isEmpty else { return }
        try requireWritable()
        let doing = "erasing call-back numbers the centre acknowledged"
        try inTransaction(doing: doing) {
            for ref in refs {
                try conn.run(
                    "UPDATE case_contacts SET number = NULL, delivered_at = ? WHERE ref = ? AND number IS NOT NULL",
                    [.text(timestamp(time)), .text(ref)], doing: doing)
            }
        }
    }

    /// Every contact row, masked (for `kioskctl` and tests).
    public func contacts() throws -> [ContactRow] {
        var out: [ContactRow] = []
        try conn.query(
            "SELECT ref, masked, number IS NOT NULL, delivered_at FROM case_contacts ORDER BY ref",
            doing: "reading the call-back numbers"
        ) { r in
            out.append(ContactRow(ref: r.text(0) ?? "", masked: r.text(1) ?? "", held: (r.int(2) ?? 0) != 0, deliveredAt: date(r.text(3))))
        }
        return out
    }
}
