import Foundation
import Hummingbird
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// What the centre holds of a case's call-back number, without the number.
public struct ContactRecord: Equatable, Sendable {
    public var masked: String
    /// The sealed number is still held (not erased).
    public var held: Bool
    public var consent: String
    public var consentVersion: String
    public var erasedAt: Date?
    public var erasedWhy: String?
}

/// Residents' call-back numbers at the centre (issue 15): received once from the kiosks
/// (`POST /v1/contacts`), sealed with `ContactKey` (the database never sees a number in clear),
/// opened only for the case page of a handler of the case's site — every opening recorded as a
/// `case.contact-viewed` event in the case's timeline — and erased a retention time after the
/// case is closed, or on request (`case.contact-erased`, once).
extension CentralStore {
    /// Stores what a kiosk sent; returns the references the centre now keeps (stored now or
    /// before: a resend is acknowledged again and changes nothing). Without a key nothing is
    /// stored and the kiosk keeps its numbers (an error that says how to configure the key).
    public func storeContacts(site: String, _ contacts: [CaseContact]) async throws -> [String] {
        guard let key = self.contacts.key else {
            throw APIError(
                .serviceUnavailable, "contact-key-missing",
                "this centre has no key to seal residents' call-back numbers; the kiosk keeps them and sends them again",
                hint: "start kiosk-central serve with --contact-key-file (32 bytes as hex: `openssl rand -hex 32`)")
        }
        for c in contacts {
            guard !c.ref.isEmpty, c.ref.count <= 32, ContactNumber.isPlausibleMobile(c.number) else {
                throw APIError.badRequest(
                    "bad-contact", "the call-back number of case \(c.ref.isEmpty ? "(no reference)" : c.ref) is not a mobile number (\(ContactNumber.masked(c.number)))",
                    hint: "the kiosk checks numbers before keeping them; update the kiosk")
            }
            guard WireTime.parse(c.givenAt) != nil else {
                throw APIError.badRequest("bad-given-at", "givenAt '\(c.givenAt)' of case \(c.ref) is not ISO 8601", hint: "send times like 2026-12-03T07:30:00Z")
            }
        }
        var sealed: [(CaseContact, Data)] = []
        for c in contacts { sealed.append((c, try key.seal(c.number, site: site, ref: c.ref))) }
        let stored = try await transaction { conn in
            for (c, box) in sealed {
                var new = false
                for try await _ in try await conn.query(
                    """
                    INSERT INTO case_contacts (site_id, ref, masked, sealed, key_id, consent, consent_version, given_at)
                    VALUES (\(site), \(c.ref), \(c.masked), \(ByteBuffer(bytes: box)), \(key.id), \(c.consent), \(c.consentVersion),
                            \(WireTime.parse(c.givenAt) ?? Date()))
                    ON CONFLICT (site_id, ref) DO NOTHING RETURNING ref
                    """, logger: logger
                ).decode(String.self) { new = true }
                guard new else { continue }
                // The resident hears that the case is received, with its reply deadline.
                var replyBy: Date?
                for try await d in try await conn.query(
                    "SELECT reply_by FROM cases WHERE site_id = \(site) AND ref = \(c.ref)", logger: logger
                ).decode(Date?.self) { replyBy = d }
                try await queueResidentMessage(conn, site: site, ref: c.ref, step: .received, time: replyBy)
            }
            return contacts.map(\.ref)
        }
        wakes.notifier.signal()
        return stored
    }

    /// The case's contact as the desk may show it to anybody (masked), nil when none was given.
    public func contactRecord(site: String, ref: String) async throws -> ContactRecord? {
        for try await (masked, held, consent, version, erasedAt, why) in try await client.query(
            """
            SELECT masked, sealed IS NOT NULL, consent, consent_version, erased_at, erased_why FROM case_contacts
            WHERE site_id = \(site) AND ref = \(ref)
            """, logger: logger
        ).decode((String, Bool, String, String, Date?, String?).self) {
            return ContactRecord(masked: masked, held: held, consent: consent, consentVersion: version, erasedAt: erasedAt, erasedWhy: why)
        }
        return nil
    }

    /// Opens the number for `actor` (the caller checked that the case's site is theirs) and
    /// records the view in the case's timeline, in one transaction: no view without its record.
    /// nil when there is no number (never given, or erased).
    public func revealContact(site: String, ref: String, actor: String, at now: Date = Date()) async throws -> String? {
        guard let key = self.contacts.key else {
            throw APIError(
                .serviceUnavailable, "contact-key-missing", "this centre was started without the key that opens call-back numbers",
                hint: "restart kiosk-central serve with --contact-key-file")
        }
        return try await transaction { conn -> String? in
            try await lockSiteCases(conn, site: site)
            guard let state = try await lockedCase(conn, site: site, ref: ref) else { return nil }
            var found: (ByteBuffer, String?)?
            for try await row in try await conn.query(
                "SELECT sealed, key_id FROM case_contacts WHERE site_id = \(site) AND ref = \(ref) AND sealed IS NOT NULL",
                logger: logger
            ).decode((ByteBuffer, String?).self) { found = row }
            guard let (buffer, keyID) = found else { return nil }
            if let keyID, keyID != key.id {
                throw APIError(
                    .serviceUnavailable, "contact-key-changed",
                    "the number of case \(ref) was sealed with key \(keyID), this centre runs with key \(key.id)",
                    hint: "start kiosk-central with the contact key file it was sealed with")
            }
            let number = try key.open(Data(buffer.readableBytesView), site: site, ref: ref)
            var e = KioskEvent(.caseContactViewed, at: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)), day: state.day)
            e.caseRef = ref
            e.staff = actor
            e.station = "desk"
            e.contact = ContactNumber.masked(number)
            _ = try await recordCaseEvent(
                conn, CaseEventRecord(site: site, ref: ref, source: "contact-view:\(UUID().uuidString)", event: e, kiosk: nil))
            return number
        }
    }

    /// Erases the number of one case (`why`: "retention" or "request"), recording
    /// `case.contact-erased` once. Returns false when there was no number left to erase.
    @discardableResult
    public func eraseContact(site: String, ref: String, why: String, actor: String? = nil, at now: Date = Date()) async throws -> Bool {
        let erased = try await transaction { conn -> Bool in
            try await lockSiteCases(conn, site: site)
            var day: String?
            for try await text in try await conn.query(
                "SELECT state::text FROM cases WHERE site_id = \(site) AND ref = \(ref) FOR UPDATE", logger: logger
            ).decode(String.self) { day = try decodeState(text).day }
            var n = 0
            for try await _ in try await conn.query(
                """
                UPDATE case_contacts SET sealed = NULL, erased_at = \(now), erased_why = \(why)
                WHERE site_id = \(site) AND ref = \(ref) AND sealed IS NOT NULL RETURNING ref
                """, logger: logger
            ).decode(String.self) { n += 1 }
            guard n > 0 else { return false }
            var e = KioskEvent(.caseContactErased, at: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)),
                               day: day ?? LocalCalendarDay.utc(now))
            e.caseRef = ref
            e.detail = why
            e.staff = actor
            e.station = "centre"
            _ = try await recordCaseEvent(conn, CaseEventRecord(site: site, ref: ref, source: "contact-erased:\(site):\(ref)", event: e, kiosk: nil))
            return true
        }
        if erased { await queueCaseSync(site: site) }
        return erased
    }

    /// Erases every number whose case was closed at least `retention` ago; returns how many.
    @discardableResult
    public func eraseExpiredContacts(at now: Date) async throws -> Int {
        var due: [(String, String)] = []
        for try await row in try await client.query(
            """
            SELECT k.site_id, k.ref FROM case_contacts k JOIN cases c ON c.site_id = k.site_id AND c.ref = k.ref
            WHERE k.sealed IS NOT NULL AND c.status = 'closed'
              AND (c.state->>'closedAt')::timestamptz <= \(now.addingTimeInterval(-contacts.retention))
            ORDER BY k.site_id, k.ref LIMIT 500
            """, logger: logger
        ).decode((String, String).self) { due.append(row) }
        var erased = 0
        for (site, ref) in due where try await eraseContact(site: site, ref: ref, why: "retention", at: now) { erased += 1 }
        return erased
    }

    /// When the next held number falls due (its case's closing + retention); nil: none will
    /// until another case closes.
    public func nextContactErasure() async throws -> Date? {
        for try await d in try await client.query(
            """
            SELECT min((c.state->>'closedAt')::timestamptz) FROM case_contacts k
            JOIN cases c ON c.site_id = k.site_id AND c.ref = k.ref WHERE k.sealed IS NOT NULL AND c.status = 'closed'
            """, logger: logger
        ).decode(Date?.self) { return d?.addingTimeInterval(contacts.retention) }
        return nil
    }
}

/// The UTC date of `now` ("2026-12-03"), for an event about a case the centre does not know.
enum LocalCalendarDay {
    static func utc(_ now: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: now)
    }
}
