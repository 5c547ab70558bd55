import Foundation
import KioskCore
import KioskProtocol
import Logging
import PostgresNIO

/// Keeping the resident informed (issue 15): messages to the call-back number through the same
/// `--notify-command` as escalations, queued in `notifications` with the level
/// `resident.<step>`, so the table's UNIQUE (site, ref, level) makes each step go at most once
/// per case whatever is sent again or reopened, and the notifier's retries, attempts and
/// outcomes apply unchanged. Steps: `received` (the centre has the number: reference and reply
/// deadline), `replied` (the first reply), `resolved` (the first resolution) and `apology` (a
/// deadline is near and the case is not on track: the new expected time is the missed deadline
/// plus its own interval again). Only a case whose number is still held is messaged. Each
/// finished message (sent, failed or skipped) is one `case.resident-notified` event on the case.
public enum ResidentStep: String, CaseIterable, Sendable {
    case received, replied, resolved, apology
    public var level: String { "resident." + rawValue }
    /// The message catalogs' template (`notify.resident.received`, …).
    public var catalogKey: String { "notify." + level }

    public init?(level: String) {
        guard level.hasPrefix("resident."), let step = ResidentStep(rawValue: String(level.dropFirst(9))) else { return nil }
        self = step
    }
}

extension CentralStore {
    /// Queues one step's message for a case whose number is held (else nothing), once.
    func queueResidentMessage(_ conn: PostgresConnection, site: String, ref: String, step: ResidentStep, time: Date?) async throws {
        try await conn.query(
            """
            INSERT INTO notifications (site_id, ref, level, deadline, next_attempt_at)
            SELECT \(site), \(ref), \(step.level), \(time), now()
            WHERE EXISTS (SELECT 1 FROM cases WHERE site_id = \(site) AND ref = \(ref))
              AND EXISTS (SELECT 1 FROM case_contacts WHERE site_id = \(site) AND ref = \(ref) AND sealed IS NOT NULL)
            ON CONFLICT (site_id, ref, level) DO NOTHING
            """, logger: logger)
    }

    /// The steps a case event reached (`recordCaseEvent`, inside its transaction).
    func queueResidentMessages(_ conn: PostgresConnection, site: String, before: CaseState, after: CaseState, event: KioskEvent) async throws {
        if before.firstReplyAt == nil, after.firstReplyAt != nil {
            try await queueResidentMessage(conn, site: site, ref: after.ref, step: .replied, time: after.resolveBy)
        }
        if before.status != .resolved, after.status == .resolved {
            try await queueResidentMessage(conn, site: site, ref: after.ref, step: .resolved, time: after.resolvedAt)
        }
        if event.type == .caseEscalated, let level = event.level, level.hasSuffix(".near"), let deadline = event.deadline {
            let expected = deadline.addingTimeInterval(max(0, deadline.timeIntervalSince(after.openedAt)))
            try await queueResidentMessage(conn, site: site, ref: after.ref, step: .apology, time: expected)
        }
    }

    /// The number of a case for a message to the resident (no person sees it, so no view is
    /// recorded; the message itself is). nil: no key, or no number held.
    func contactForMessage(site: String, ref: String) async throws -> String? {
        guard let key = contacts.key else { return nil }
        for try await (buffer, keyID) in try await client.query(
            "SELECT sealed, key_id FROM case_contacts WHERE site_id = \(site) AND ref = \(ref) AND sealed IS NOT NULL",
            logger: logger
        ).decode((ByteBuffer, String?).self) {
            guard keyID == nil || keyID == key.id else { return nil }
            return try key.open(Data(buffer.readableBytesView), site: site, ref: ref)
        }
        return nil
    }

    /// Records how a resident's message ended on its case, once per step.
    func recordResidentNotified(site: String, ref: String, step: ResidentStep, outcome: String, at now: Date) async throws {
        try await transaction { conn in
            try await lockSiteCases(conn, site: site)
            guard let state = try await lockedCase(conn, site: site, ref: ref) else { return }
            var e = KioskEvent(.caseResidentNotified, at: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)), day: state.day)
            e.caseRef = ref
            e.level = step.level
            e.detail = outcome
            e.station = "centre"
            e.contact = state.contact
            _ = try await recordCaseEvent(conn, CaseEventRecord(site: site, ref: ref, source: "resident:\(site):\(ref):\(step.level)", event: e, kiosk: nil))
        }
    }
}

/// The words of a resident's message, from the message catalogs in the site's language.
struct ResidentMessageText {
    var catalogs: Catalogs?

    func message(_ step: ResidentStep, ref: String, time: Date?, configuration: Configuration) -> String {
        let calendar = LocalCalendar(configuration)
        let when = time.map { calendar.shortDateTime($0) } ?? ""
        let arguments = ["ref": ref, "time": when, "phone": configuration.phone, "site": configuration.siteName]
        guard let catalogs else { return "\(ref) \(step.rawValue) \(when)" }
        return catalogs[configuration.language].text(step.catalogKey, arguments)
    }
}
