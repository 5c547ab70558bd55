#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import KioskSystem

/// The call the waiting-room board shows large: the newest call or recall, for
/// `board-flash-seconds` after it. Pure, from the stored call times, so a restart or a second
/// board flashes the same way.
public struct BoardFlash: Equatable, Sendable {
    public var ticket: String
    public var counter: Int
    /// Alternates every second, starting emphasised on the second of the call, so the eye
    /// catches the change from across the room.
    public var emphasised: Bool

    /// The flash at `now`, or nil when no call is younger than `seconds` (the board is steady).
    /// Only a ticket still called or being served flashes: one marked a no-show or transferred
    /// in the meantime is nobody's to come for.
    public static func at(_ now: Date, in state: QueueState, seconds: Int) -> BoardFlash? {
        let newest = state.tickets.values
            .filter { ($0.status == .called || $0.status == .serving) && $0.counter != nil && $0.lastCalledAt != nil }
            .max { ($0.lastCalledAt!, $0.label) < ($1.lastCalledAt!, $1.label) }
        guard let t = newest, let calledAt = t.lastCalledAt, let counter = t.counter else { return nil }
        let elapsed = Int(now.timeIntervalSince(calledAt).rounded(.down))
        guard elapsed >= 0, elapsed < seconds else { return nil }
        return BoardFlash(ticket: t.label, counter: counter, emphasised: elapsed % 2 == 0)
    }
}

/// The waiting-room board (`role = board`): the wall screen residents watch while they wait,
/// in the site's language. Steady, it shows who is being called to which counter, the earlier
/// calls, per service the people waiting and the estimate a new ticket would get, the quiet
/// hours and the time. For `board-flash-seconds` after a call or a recall the call takes over,
/// large and flashing (the voice call-out is the lobby's `announce-command`, as without a board).
extension ScreenBuilder {
    public func board(_ m: KioskMachine, now: Date) -> Screen {
        let c = catalogs[m.configuration.language]
        let title = c.text("board.title", ["site": m.configuration.siteName])
        let footer = c.text("lobby.footer", ["time": m.calendar.dateTime(now), "weekday": c.text("weekday.\(m.calendar.weekday(of: now))")])
        if let flash = BoardFlash.at(now, in: m.state, seconds: m.configuration.boardFlashSeconds) {
            let tone: Tone = flash.emphasised ? .accent : .normal
            let blocks: [Block] = [
                .banner("\(flash.ticket) → \(flash.counter)", tone),
                .text(c.text("lobby.call", ["ticket": flash.ticket, "counter": String(flash.counter)]), tone),
            ] + boardCalling(m, c)
            return Screen(title: title, blocks: blocks, footer: footer)
        }
        var blocks = boardCalling(m, c)
        let current = Set(boardCurrent(m).map(\.label))
        let earlier = m.state.recentlyCalled.filter { !current.contains($0.label) }
        if !earlier.isEmpty {
            blocks.append(.heading(c.text("board.recent")))
            let calls = earlier.map { c.text("board.recent.call", ["ticket": $0.label, "counter": String($0.counter)]) }
            blocks.append(.text(calls.joined(separator: c.text("list.separator")), .normal))
        }
        blocks.append(.heading(c.text("board.waiting")))
        var rows = [[c.text("lobby.table.service"), c.text("lobby.table.waiting"), c.text("lobby.table.estimate")]]
        for s in m.configuration.services.sorted(by: { $0.key < $1.key }) {
            rows.append([s.name(c.language), c.text("lobby.table.people", ["count": String(m.state.ticketsWaiting(for: s.id).count)]),
                         estimateCell(m, c, service: s.id, now: now)])
        }
        blocks.append(.table(rows))
        if let advice = quietHoursAdvice(m, c) { blocks.append(advice) }
        return Screen(title: title, blocks: blocks, footer: footer)
    }

    /// Tickets called to a counter or being served there, by counter.
    private func boardCurrent(_ m: KioskMachine) -> [Ticket] {
        m.state.tickets.values.filter { ($0.status == .called || $0.status == .serving) && $0.counter != nil }
            .sorted { ($0.counter!, $0.label) < ($1.counter!, $1.label) }
    }

    /// "Now calling": each ticket at a counter, and whether to come or already served.
    private func boardCalling(_ m: KioskMachine, _ c: Catalog) -> [Block] {
        let current = boardCurrent(m)
        guard !current.isEmpty else { return [.heading(c.text("board.now")), .text(c.text("board.none"), .muted)] }
        var rows = [[c.text("board.table.ticket"), c.text("board.table.counter"), c.text("board.table.status")]]
        for t in current {
            rows.append([t.label, c.text("board.counter", ["counter": String(t.counter!)]),
                         c.text(t.status == .serving ? "board.status.serving" : "board.status.called")])
        }
        return [.heading(c.text("board.now")), .table(rows)]
    }

    /// Busy and quiet hours from history (the lobby's advice), nil while history is too short.
    func quietHoursAdvice(_ m: KioskMachine, _ c: Catalog) -> Block? {
        guard let advice = m.quietHours else { return nil }
        let hours = { (list: [Int]) in list.map { String(cFormat: "%02d:00", $0) }.joined(separator: c.text("list.separator")) }
        return .text(c.text("lobby.advice", ["busy": hours(advice.busy), "quiet": hours(advice.quiet)]), .muted)
    }

    /// Catalog keys of the board, for `requiredKeys` (it also uses the lobby's table, call,
    /// advice and footer texts).
    static let boardKeys = [
        "board.title", "board.now", "board.none", "board.table.ticket", "board.table.counter", "board.table.status",
        "board.counter", "board.status.called", "board.status.serving", "board.recent", "board.recent.call", "board.waiting",
    ]
}
