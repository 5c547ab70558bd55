#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The case screens: the lobby lookup (typing, found, unknown, locked) and the case lines of a
/// counter (its case, the case key's choices, escalation alerts, a slip that did not print).
extension ScreenBuilder {
    // MARK: Lobby lookup

    func lookup(_ mode: LobbyMode, _ m: KioskMachine, _ c: Catalog, title: String, footer: String, now: Date) -> Screen {
        var blocks: [Block] = [.heading(c.text("lookup.heading"))]
        switch mode {
        case .lookup(let digits, _):
            blocks.append(.text(c.text("lookup.prompt"), .normal))
            blocks.append(.banner(ScreenBuilder.typedReference(digits), .accent))
            blocks.append(.text(c.text("lookup.keys"), .muted))
            return Screen(title: title, blocks: blocks, footer: footer)
        case .caseFound(let ref, _):
            guard let view = m.caseView(ref) else { return Screen(title: title, blocks: blocks, footer: footer) }
            blocks.append(.banner(ref, .accent))
            blocks += caseDetails(view, m, c, now: now)
            return Screen(title: title, blocks: blocks, footer: c.text("ticket.footer"))
        case .caseUnknown(let ref, let left, _):
            blocks.append(.banner(ref, .muted))
            blocks.append(.text(c.text("lookup.unknown", ["ref": ref]), .warning))
            if left > 0 {
                blocks.append(.text(c.text("lookup.tries-left", ["count": String(left)]), .muted))
            } else {
                blocks.append(.text(c.text("lookup.locked", ["seconds": String(KioskMachine.lookupLockSeconds), "phone": m.configuration.phone]), .alert))
            }
            return Screen(title: title, blocks: blocks, footer: c.text("ticket.footer"))
        case .lookupLocked(let until, _):
            let seconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
            blocks.append(.text(c.text("lookup.locked", ["seconds": String(seconds), "phone": m.configuration.phone]), .alert))
            return Screen(title: title, blocks: blocks, footer: c.text("ticket.footer"))
        default:
            return Screen(title: title, blocks: blocks, footer: footer)
        }
    }

    /// "2026120" typed so far → "R2026120_-___".
    static func typedReference(_ digits: String) -> String {
        var chars = Array(digits.prefix(11))
        chars += Array(repeating: "_", count: 11 - chars.count)
        return "R" + String(chars[0..<8]) + "-" + String(chars[8..<11])
    }

    /// Where the case stands, who handles it, what happened when, and what comes next.
    private func caseDetails(_ view: CaseView, _ m: KioskMachine, _ c: Catalog, now: Date) -> [Block] {
        let s = view.state
        let cal = m.calendar
        var status = c.text("case.status.\(s.status.rawValue)")
        if s.status == .handling, let who = s.assignee { status = c.text("lookup.handled-by", ["status": status, "assignee": who]) }
        var blocks: [Block] = [.text(c.text("lookup.status", ["status": status]), s.isOpen ? .accent : .good)]
        var what = s.reason.map { c.text($0) } ?? c.text("lookup.reason.none")
        if let service = s.service.flatMap(m.configuration.service) { what = service.name(c.language) + " · " + what }
        blocks.append(.text(c.text("lookup.opened", ["time": cal.dateTime(s.openedAt), "reason": what]), .normal))
        if let at = s.firstReplyAt {
            let channel = s.firstReplyChannel.map { c.text("case.channel.\($0)") } ?? ""
            blocks.append(.text(c.text("lookup.replied", ["time": cal.dateTime(at), "channel": channel]), .normal))
        }
        if let at = s.resolvedAt { blocks.append(.text(c.text("lookup.resolved", ["time": cal.dateTime(at)]), .normal)) }
        if let at = s.closedAt { blocks.append(.text(c.text("lookup.closed", ["time": cal.dateTime(at)]), .normal)) }
        // The next promise: the first reply, then the resolution.
        if s.isOpen {
            let (key, deadline) = s.firstReplyAt == nil ? ("reply", s.replyBy) : ("resolve", s.resolveBy)
            if let deadline {
                let late = deadline < now
                blocks.append(.text(c.text("lookup.next.\(key)" + (late ? ".late" : ""), ["deadline": cal.shortDateTime(deadline), "phone": m.configuration.phone]),
                                    late ? .warning : .good))
            }
        }
        if let asOf = view.asOf { blocks.append(.text(c.text("lookup.as-of", ["time": cal.dateTime(asOf)]), .muted)) }
        return blocks
    }

    // MARK: Counter

    /// A counter's case lines: the case key's choices, the visit's case, escalations, slip trouble.
    func counterCaseBlocks(_ n: Int, _ m: KioskMachine, _ c: Catalog, keys: [String: String]) -> [Block] {
        guard let ui = m.counterUI[n] else { return [] }
        var blocks: [Block] = []
        switch ui.entry {
        case .caseAction(let ref):
            guard let s = m.caseView(ref)?.state else { break }
            var choices: [String] = []
            if s.firstReplyAt == nil { choices.append(c.text("counter.case.choice.reply")) }
            choices.append(c.text("counter.case.choice.resolve"))
            if !m.caseAlerts.isEmpty { choices.append(c.text("counter.case.choice.acknowledge")) }
            blocks.append(.text(c.text("counter.case.choose", ["ref": ref, "choices": choices.joined(separator: "  ")]), .accent))
        case .rootCause(let ref):
            blocks.append(.text(c.text("counter.case.cause", ["ref": ref]), .accent))
            var rows = [[c.text("pad.reason.key"), c.text("counter.case.cause-column")]]
            for (i, key) in m.configuration.rootCauses.enumerated() { rows.append([String(i + 1), causeName(key, c)]) }
            blocks.append(.table(rows))
        default:
            if let view = m.counterCase(n), view.state.isOpen {
                let reason = view.state.reason.map { c.text($0) } ?? c.text("lookup.reason.none")
                blocks.append(.text(c.text("counter.case.open", keys.merging(["ref": view.state.ref, "reason": reason]) { $1 }), .accent))
            }
        }
        // The most urgent few, then how many more: the counter's own work stays on screen.
        let alerts = m.caseAlerts
        for alert in alerts.prefix(ScreenBuilder.caseAlertLines) {
            let key = "counter.case-alert." + (alert.overdue ? "overdue" : "near")
            let what = c.text(alert.reply ? "case.deadline.reply" : "case.deadline.resolve")
            blocks.append(.text(c.text(key, keys.merging(["ref": alert.ref, "what": what, "deadline": m.calendar.shortDateTime(alert.deadline)]) { $1 }),
                                alert.overdue ? .alert : .warning))
        }
        if alerts.count > ScreenBuilder.caseAlertLines {
            blocks.append(.text(c.text("counter.case-alert.more", ["count": String(alerts.count - ScreenBuilder.caseAlertLines)]), .warning))
        }
        if let problem = ui.slipProblem {
            let known = ["offline", "paper-out", "busy", "error"].contains(problem) ? problem : "error"
            blocks.append(.text(c.text("counter.slip-alert", ["problem": c.text("printer.problem.\(known)")]), .alert))
        }
        return blocks
    }

    /// Escalation alerts a counter lists one by one.
    static let caseAlertLines = 3

    /// A root cause's words; a site's own cause without catalog words shows its key.
    func causeName(_ key: String, _ c: Catalog) -> String {
        let text = c.text(key)
        return text.hasPrefix("⟨") ? String(key.dropFirst(key.hasPrefix("cause.") ? 6 : 0)) : text
    }

    /// Catalog keys of the case screens, for `requiredKeys`.
    static let caseKeys: [String] = [
        "lookup.heading", "lookup.prompt", "lookup.keys", "lookup.unknown", "lookup.tries-left", "lookup.locked",
        "lookup.status", "lookup.handled-by", "lookup.opened", "lookup.reason.none", "lookup.replied", "lookup.resolved",
        "lookup.closed", "lookup.next.reply", "lookup.next.reply.late", "lookup.next.resolve", "lookup.next.resolve.late",
        "lookup.as-of", "counter.case.choose", "counter.case.choice.reply", "counter.case.choice.resolve",
        "counter.case.choice.acknowledge", "counter.case.cause", "counter.case.cause-column", "counter.case.open",
        "counter.case-alert.near", "counter.case-alert.overdue", "counter.case-alert.more", "case.deadline.reply", "case.deadline.resolve",
        "counter.slip-alert", "counter.notice.no-case", "counter.notice.case-replied", "counter.notice.case-replied-already",
        "counter.notice.case-resolved", "slip.title", "slip.office-title", "slip.reference", "slip.reason", "slip.visit",
        "slip.opened", "slip.reply-by", "slip.resolve-by", "slip.lookup", "slip.staff", "slip.signature",
    ] + CaseStatus.allCases.map { "case.status.\($0.rawValue)" } + CaseChannel.allCases.map { "case.channel.\($0.rawValue)" }
}
