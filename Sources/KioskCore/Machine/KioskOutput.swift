#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything the adapters must do after an input, in this order: persist the events (before
/// anything shows their effect), then print, call out, sync. Nothing else leaves the machine:
/// adapters act on this value and report back with later inputs (`KioskInput.printed`,
/// `KioskInput.quietHours`), never by calling into the machine while it decides.
public struct KioskOutput: Equatable, Sendable {
    public var events: [KioskEvent] = []
    /// Call-back numbers given with this output's `case.contact-given` events: stored with them,
    /// in the same transaction, in their own table (never the event log), until the centre has
    /// them. The only place a full number leaves the machine.
    public var contacts: [CaseContact] = []
    /// Tickets to print, each on the printer of the lobby station that issued it, and
    /// commitment slips, on the printer of the counter where the case opened.
    public var prints: [PrintJob] = []
    public var announcements: [Announcement] = []
    /// The business day changed: history-based advice for the new day is wanted, as a
    /// `.quietHours` input.
    public var needsQuietHours = false
    /// Events were recorded that the centre should see without waiting for the next interval.
    public var syncNow: Bool { !events.isEmpty }
    /// Lines for the operator's log that only the machine can word (a printer prints again).
    public var log: [String] = []
    /// Why an operator command was refused (nothing changed), for the operator's shell.
    public var refusal: String?
    public init() {}
}

/// A ticket call-out: "please, A012, to counter 2".
public struct Announcement: Equatable, Sendable {
    public var ticket: String
    public var counter: Int
}

/// One print for one printer. A ticket: `station` is the `[station]` whose keypad took it (nil:
/// the console's lobby), `ticket` its `ticket.issued` event, `language` the lobby's at the time.
/// A commitment slip (承诺兑现单, `kind` `.caseSlip`): `station` is the counter's `[station]`,
/// `ticket` the `case.opened` event with the counter and staff of the visit filled in,
/// `language` the site's.
public struct PrintJob: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable { case ticket, caseSlip = "case-slip" }
    public var printer: String
    public var station: String?
    public var ticket: KioskEvent
    public var language: Language
    public var kind: Kind = .ticket
}
