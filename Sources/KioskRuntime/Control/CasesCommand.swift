#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import KioskCore
import KioskProtocol
import KioskStorage

/// `kioskctl cases [--json]`: the site's cases as last pulled from the centre, read-only from the
/// state folder, so it works offline and without kioskd ("as of" says how old it is).
extension ControlCommand {
    static func cases(_ store: EventStore, _ setup: KioskSetup, _ options: [String], now: Date = Date(), output: (String) -> Void) throws {
        var json = false
        try walkOptions(options, usage: "cases: use --json") { option, _ in
            guard option == "--json" else { return false }
            json = true
            return true
        }
        let states = try store.pulledCases().sorted { ($0.openedAt, $0.ref) > ($1.openedAt, $1.ref) }
        let asOf = try store.pulledCasesAsOf()
        if json {
            let listing = PulledCasesListing(asOf: asOf.map(WireTime.string), next: try store.pulledCasesCursor(), cases: states)
            output(String(decoding: try WireEncoder().encode(listing), as: UTF8.self) + "\n")
            return
        }
        let calendar = LocalCalendar(setup.configuration)
        guard let asOf else {
            let how = setup.configuration.centralURL == nil
                ? "central sync is off: set central-url in [kiosk] of kiosk.conf" : "kioskd pulls them after each sync with the centre"
            output("No case states pulled from the centre yet (\(how)).\n")
            return
        }
        var text = "Cases as the centre had them on \(calendar.dateTime(asOf)) (\(states.count)):\n"
        text += "ref            status    assignee      next deadline\n"
        for s in states {
            let deadline = nextDeadline(s).map { d in
                "\(d.what) by \(calendar.shortDateTime(d.at))\(d.at < now ? " (overdue)" : "")"
            } ?? "-"
            text += "\(pad(s.ref, 14)) \(pad(s.status.rawValue, 9)) \(pad(s.assignee ?? "-", 13)) \(deadline)\n"
        }
        output(text)
    }

    /// The earliest deadline the case has not met yet: the first reply while nobody has replied,
    /// the resolution while it is open; nil once resolved or closed.
    static func nextDeadline(_ s: CaseState) -> (what: String, at: Date)? {
        var due: [(what: String, at: Date)] = []
        if s.firstReplyAt == nil && s.isOpen { due.append(("reply", s.replyBy)) }
        if s.isOpen, let resolveBy = s.resolveBy { due.append(("resolve", resolveBy)) }
        return due.min { $0.at < $1.at }
    }
}

/// `kioskctl cases --json`: the pulled states, when they were pulled, and the change number the
/// next pull asks after.
struct PulledCasesListing: Encodable {
    var asOf: String?
    var next: Int64
    var cases: [CaseState]
}
