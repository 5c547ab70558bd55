#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns the machine's state into what each station shows, in the station's language.
/// Pure: the same state, catalogs and time give the same screens (snapshot tests rely on it).
public struct ScreenBuilder: Sendable {
    public let catalogs: Catalogs
    /// False for a daemon's very first frame only: the lobby's and the board's service tables
    /// leave the estimate column empty and the lobby its apologies (which quote an estimate), so
    /// that a kiosk starting after a power cut shows its screen before the simulating estimator
    /// has run (about a third of the first frame's work). The runtime draws again at once with
    /// estimates (`StationFrontend.draw`); everything else on the screen is as settled.
    public var showsEstimates = true

    public init(catalogs: Catalogs) { self.catalogs = catalogs }

    /// Every station, as the console shows them together: the lobby first, then the counters by
    /// number. A storage problem (`storageProblem`, the last failed commit) is staff's business:
    /// it heads the counters' screens, while the lobby shows the neutral paused screen
    /// (`paused`), never the error.
    public func screens(_ machine: KioskMachine, now: Date, storageProblem: String? = nil) -> [Screen] {
        [screen(for: .lobby, machine, now: now, storageProblem: storageProblem)]
            + machine.configuration.counters.map { screen(for: .counter($0.number), machine, now: now, storageProblem: storageProblem) }
    }

    /// One station's screen, as its own display shows it. With a storage problem a counter shows
    /// it on top and a lobby terminal shows the neutral paused screen; the board is unchanged.
    /// `terminal`: which lobby terminal (its `[station]` name; "" for the one of the console).
    public func screen(for station: StationID, _ machine: KioskMachine, terminal: String = "", now: Date, storageProblem: String? = nil) -> Screen {
        switch station {
        case .lobby:
            if storageProblem != nil { return paused(machine, terminal: terminal) }
            return lobby(machine, terminal: terminal, now: now)
        case .counter(let n):
            let screen = counter(n, machine, now: now)
            return storageProblem.map { withStorageProblem($0, screen, machine) } ?? screen
        case .board: return board(machine, now: now)
        }
    }

    /// Nothing new is stored, so staff must know at once: the problem goes on top, in the
    /// site's language.
    private func withStorageProblem(_ problem: String, _ screen: Screen, _ m: KioskMachine) -> Screen {
        var screen = screen
        screen.blocks.insert(.text(catalogs[m.configuration.language].text("storage.problem", ["error": problem]), .alert), at: 0)
        return screen
    }

    /// What residents see while nothing can be stored (the database is refused at start, or the
    /// last commit failed): "暂停取号，请到窗口咨询" and "please ask at the counter", the
    /// station's language first and the other one under it. Never the error itself: the log,
    /// `kioskctl` and the counters' screens carry the details.
    public func paused(_ m: KioskMachine, terminal: String = "") -> Screen {
        let language = m.lobbyTerminal(terminal).language
        let c = catalogs[language]
        var blocks: [Block] = [.spacer, .heading(c.text("storage.paused"))]
        for other in Language.allCases where other != language {
            blocks.append(.text(catalogs[other].text("storage.paused"), .normal))
        }
        return Screen(title: c.text("lobby.title", ["site": m.configuration.siteName]), blocks: blocks, footer: "")
    }

    // MARK: Lobby

    public func lobby(_ m: KioskMachine, terminal: String = "", now: Date) -> Screen {
        let lobby = m.lobbyTerminal(terminal)
        let c = catalogs[lobby.language]
        let config = m.configuration
        let footer = c.text("lobby.footer", ["time": m.calendar.dateTime(now), "weekday": c.text("weekday.\(m.calendar.weekday(of: now))")])
        let title = c.text("lobby.title", ["site": config.siteName])
        switch lobby.mode {
        case .idle:
            return Screen(title: title, blocks: lobbyIdle(m, c, now: now), footer: footer)
        case .choosing(let priority, let serviceID, _):
            var blocks: [Block] = [.heading(c.text(priority ? "lobby.choose.priority" : "lobby.choose"))]
            if priority { blocks.append(.text(c.text("lobby.priority-who"), .accent)) }
            if let s = serviceID.flatMap(config.service) {
                let ahead = m.state.aheadOfNewTicket(service: s.id, priority: priority)
                let e = m.screenEstimate(.newTicket(service: s.id, priority: priority), now: now)
                blocks.append(.banner(s.name(lobby.language), .accent))
                blocks.append(.text(c.text("lobby.choice.waiting", ["count": String(ahead), "low": String(e.low), "high": String(e.high)]), .normal))
                if !e.countersOpen { blocks.append(.text(c.text("lobby.no-counter-open"), .warning)) }
                blocks.append(.text(c.text("lobby.choice.confirm"), .muted))
            } else {
                blocks.append(serviceTable(m, c, now: now))
                blocks.append(.text(c.text("lobby.choice.pick"), .muted))
            }
            return Screen(title: title, blocks: blocks, footer: footer)
        case .ticket(let label, _):
            guard let t = m.state.tickets[label], let s = config.service(t.service) else { return Screen(title: title, blocks: [], footer: footer) }
            var blocks: [Block] = [.heading(c.text("ticket.heading")), .banner(label, .accent),
                                   .text(s.name(lobby.language) + (t.priority ? "  " + c.text("ticket.priority") : ""), .normal)]
            if m.state.printerProblem != nil { blocks.append(.text(c.text("ticket.remember-number"), .alert)) }
            let ahead = m.state.ahead(of: t)
            blocks.append(.text(c.text("ticket.position", ["ahead": String(ahead)]), .normal))
            blocks.append(.text(c.text("ticket.estimate", ["low": String(t.estimateLow), "high": String(t.estimateHigh)]), .good))
            blocks.append(.text(c.text("ticket.keep", ["phone": config.phone]), .muted))
            return Screen(title: title, blocks: blocks, footer: c.text("ticket.footer"))
        case .notice(let key, _):
            return Screen(title: title, blocks: [.spacer, .text(c.text(key), .warning)], footer: footer)
        case .lookup, .caseFound, .caseUnknown, .lookupLocked:
            return lookup(lobby.mode, m, c, title: title, footer: footer, now: now)
        }
    }

    private func lobbyIdle(_ m: KioskMachine, _ c: Catalog, now: Date) -> [Block] {
        var blocks: [Block] = [.text(c.text("lobby.welcome"), .accent), serviceTable(m, c, now: now)]
        // Apologise, with a fresh estimate, to everyone past their target.
        for t in m.state.waitingTickets where t.careRaisedAt != nil && showsEstimates {
            guard m.configuration.service(t.service) != nil else { continue }
            let e = m.screenEstimate(.waiting(label: t.label), now: now)
            blocks.append(.text(c.text("lobby.apology", ["ticket": t.label, "minutes": String(t.waitedMinutes(now: now)),
                                                           "low": String(e.low), "high": String(e.high)]), .warning))
        }
        if !m.state.recentlyCalled.isEmpty {
            blocks.append(.heading(c.text("lobby.recent")))
            for (i, call) in m.state.recentlyCalled.enumerated() {
                blocks.append(.text(c.text("lobby.call", ["ticket": call.label, "counter": String(call.counter)]), i == 0 ? .accent : .normal))
            }
        }
        if let advice = quietHoursAdvice(m, c) { blocks.append(advice) }
        blocks.append(.text(c.text("lobby.hint"), .muted))
        return blocks
    }

    private func serviceTable(_ m: KioskMachine, _ c: Catalog, now: Date) -> Block {
        var rows = [[c.text("lobby.table.key"), c.text("lobby.table.service"), c.text("lobby.table.waiting"), c.text("lobby.table.estimate")]]
        for s in m.configuration.services.sorted(by: { $0.key < $1.key }) {
            let waiting = m.state.ticketsWaiting(for: s.id).count
            rows.append([String(s.key), s.name(c.language), c.text("lobby.table.people", ["count": String(waiting)]),
                         estimateCell(m, c, service: s.id, now: now)])
        }
        return .table(rows)
    }

    /// A service table's estimate for a new ticket: a range, "no wait", or nothing while
    /// estimates are withheld (`showsEstimates`).
    func estimateCell(_ m: KioskMachine, _ c: Catalog, service: String, now: Date) -> String {
        guard showsEstimates else { return "" }
        let e = m.screenEstimate(.newTicket(service: service, priority: false), now: now)
        return e.noWait ? c.text("lobby.table.no-wait") : c.text("lobby.table.range", ["low": String(e.low), "high": String(e.high)])
    }

    // MARK: Counter

    public func counter(_ n: Int, _ m: KioskMachine, now: Date) -> Screen {
        let language = m.configuration.language
        let c = catalogs[language]
        guard let counter = m.state.counters[n], let ui = m.counterUI[n] else {
            return Screen(title: c.text("counter.title", ["counter": String(n)]), blocks: [], footer: "")
        }
        var title = c.text("counter.title", ["counter": String(n)])
        var blocks: [Block] = []
        let keys = CounterKeys.placeholders(c)
        if let staff = counter.staff {
            title += " · " + (m.configuration.staffMember(staff)?.name ?? staff) + " (" + staff + ")"
        }
        switch ui.entry {
        case .staffNumber(let digits):
            blocks.append(.text(c.text("counter.login.staff", ["digits": digits]), .accent))
        case .pin(let staff, let digits):
            blocks.append(.text(c.text("counter.login.pin", ["staff": staff, "mask": String(repeating: "•", count: digits.count)]), .accent))
        case .transfer:
            let list = m.configuration.services.map { "\($0.key) \($0.name(language))" }.joined(separator: "  ")
            blocks.append(.text(c.text("counter.transfer.pick", ["services": list]), .accent))
        case .none:
            if counter.staff == nil { blocks.append(.text(c.text("counter.logged-out"), .muted)) }
        case .caseAction, .rootCause:
            break
        }
        if counter.staff != nil {
            let names = counter.services.compactMap { m.configuration.service($0)?.name(language) }.joined(separator: c.text("list.separator"))
            let waiting = m.state.waitingTickets.filter { counter.services.contains($0.service) }.count
            blocks.append(.text(c.text("counter.status.\(counter.status.rawValue)", ["services": names, "waiting": String(waiting)]),
                                counter.status == .open ? .good : .warning))
            if let label = counter.current, let t = m.state.tickets[label] {
                let service = m.configuration.service(t.service)?.name(language) ?? t.service
                blocks.append(.banner(label, .accent))
                let key = t.status == .serving ? "counter.serving" : "counter.called"
                blocks.append(.text(c.text(key, ["service": service, "recalls": String(t.recalls), "waited": String(t.waitedMinutes(now: now))]), .normal))
                if ui.unresolvedMarked { blocks.append(.text(c.text("counter.unresolved-marked"), .warning)) }
            }
            for t in m.careAlerts(for: n) {
                blocks.append(.text(c.text("counter.care-alert", keys.merging(["ticket": t.label, "minutes": String(t.waitedMinutes(now: now))]) { $1 }), .alert))
            }
            for t in m.carePredictions(for: n) {
                let target = m.configuration.service(t.service)?.targetWaitMinutes ?? 0
                blocks.append(.text(c.text("counter.care-predicted", ["ticket": t.label, "minutes": String(t.waitedMinutes(now: now)),
                                                                      "predicted": String(t.carePredictedMinutes ?? target), "target": String(target)]), .warning))
            }
            blocks += counterCaseBlocks(n, m, c, keys: keys)
            if let problem = m.state.printerProblem {
                let known = ["offline", "paper-out", "busy", "error"].contains(problem) ? problem : "error"
                blocks.append(.text(c.text("counter.printer-alert", ["problem": c.text("printer.problem.\(known)")]), .alert))
            }
        }
        if let notice = ui.notice { blocks.append(.text(c.text(notice.key, keys.merging(notice.arguments) { $1 }), .warning)) }
        blocks.append(.spacer)
        blocks += pad(counter.pad, n, m, c, now: now)
        let hint = CounterKeys.hint(loggedIn: counter.staff != nil, c)
        return Screen(title: title, blocks: blocks, footer: m.calendar.clock(now) + "  " + hint)
    }

    /// The rating pad: question, reasons, commitment, farewell.
    private func pad(_ pad: PadState, _ n: Int, _ m: KioskMachine, _ c: Catalog, now: Date) -> [Block] {
        switch pad {
        case .idle:
            return [.heading(c.text("pad.heading")), .text(c.text("pad.idle"), .muted)]
        case .awaitingRating:
            return [.heading(c.text("pad.question")),
                    .choices([Choice(key: "1", label: c.text("rating.1"), tone: .good), Choice(key: "2", label: c.text("rating.2"), tone: .fair),
                              Choice(key: "3", label: c.text("rating.3"), tone: .warning), Choice(key: "4", label: c.text("rating.4"), tone: .alert)])]
        case .awaitingReason:
            var rows: [[String]] = [[c.text("pad.reason.key"), c.text("pad.reason.label")]]
            for (i, key) in m.configuration.reasons.enumerated() { rows.append([String(i + 1), c.text(key)]) }
            return [.heading(c.text("pad.reason-question")), .table(rows)]
        case .awaitingContact(_, let ref, _):
            let typed = m.counterUI[n]?.contactDigits ?? ""
            return [.heading(c.text("pad.contact.question")), .banner(typed.isEmpty ? "_" : ContactNumber.typing(typed), .accent),
                    .text(c.text("pad.contact.hint", ["ref": ref]), .normal), .text(c.text(ContactConsent.key), .muted)]
        case .commitment(_, let ref, _):
            guard let record = m.state.cases[ref] else { return [] }
            return [.heading(c.text("pad.commitment.heading")), .banner(ref, .accent),
                    .text(c.text("pad.commitment", ["ref": ref, "deadline": m.calendar.shortDateTime(record.deadline), "phone": m.configuration.phone]), .normal)]
        case .farewell(let message, let ticket, _):
            var blocks: [Block] = [.heading(c.text("pad.thanks"))]
            if let festival = m.festivalKey(now: now) { blocks.append(.text(c.text(festival), .accent)) }
            blocks.append(.text(c.text(message), .good))
            if let ref = ticket.flatMap({ m.state.tickets[$0]?.caseRef }), let record = m.state.cases[ref] {
                blocks.append(.text(c.text("farewell.case", ["ref": ref, "deadline": m.calendar.shortDateTime(record.deadline), "phone": m.configuration.phone]), .accent))
            }
            blocks.append(.text(c.text("farewell.belongings"), .normal))
            return blocks
        }
    }

    /// Keys every screen may ask for, so `--check-config` can report a catalog that lacks one.
    public static let requiredKeys: [String] = [
        "lobby.title", "lobby.footer", "lobby.welcome", "lobby.choose", "lobby.choose.priority", "lobby.priority-who",
        "lobby.choice.waiting", "lobby.choice.confirm", "lobby.choice.pick", "lobby.no-counter-open", "lobby.apology",
        "lobby.recent", "lobby.call", "lobby.advice", "lobby.hint", "lobby.numbers-exhausted", "lobby.table.key",
        "lobby.table.service", "lobby.table.waiting", "lobby.table.estimate", "lobby.table.people", "lobby.table.no-wait",
        "lobby.table.range", "list.separator", "ticket.heading", "ticket.priority", "ticket.position", "ticket.estimate",
        "ticket.keep", "ticket.footer", "counter.title", "counter.login.staff", "counter.login.pin", "counter.transfer.pick",
        "counter.logged-out", "counter.status.open", "counter.status.paused", "counter.status.closed", "counter.serving",
        "counter.called", "counter.unresolved-marked", "counter.care-alert", "counter.care-predicted", "storage.problem",
        "counter.notice.login-first", "counter.notice.finish-first", "counter.notice.start-first", "counter.notice.paused",
        "counter.notice.nobody-waiting", "counter.notice.nothing-to-recall", "counter.notice.recall-first",
        "counter.notice.no-ticket", "counter.notice.no-alert", "counter.notice.login-failed",
        "counter.notice.logged-in-elsewhere", "counter.notice.bad-transfer", "pad.heading", "pad.idle", "pad.question",
        "rating.1", "rating.2", "rating.3", "rating.4", "pad.reason-question", "pad.reason.key", "pad.reason.label", "pad.commitment.heading", "pad.commitment",
        "pad.contact.question", "pad.contact.hint", "pad.contact.invalid", ContactConsent.key, "slip.contact",
        "pad.thanks", "farewell.case", "farewell.belongings", "farewell.default",
        "ticket.remember-number", "counter.printer-alert", "printer.problem.offline", "printer.problem.paper-out",
        "printer.problem.busy", "printer.problem.error", "print.phone",
    ] + CounterKeys.catalogKeys + (1...7).map { "weekday.\($0)" } + caseKeys + boardKeys + Configuration().rootCauses
}
