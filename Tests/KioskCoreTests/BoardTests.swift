import Foundation
import KioskTestSupport
import Testing
@testable import KioskCore

/// The waiting-room board (`role = board`): a call or recall flashes large for
/// `board-flash-seconds`, one emphasis a second, then the board is steady; keys said to come
/// from a board change nothing; calls are still announced.
@Suite("Waiting-room board")
struct BoardTests {
    static func board(_ h: Harness) -> Screen {
        ScreenBuilder(catalogs: shippedCatalogs()).screen(for: .board, h.machine, now: h.now)
    }

    /// The large call on the board, if any: its text and tone.
    static func banner(_ h: Harness) -> (text: String, tone: Tone)? {
        for case .banner(let text, let tone) in board(h).blocks { return (text, tone) }
        return nil
    }

    /// A site with a board, counter 1 open and a repairs ticket called at `now`.
    static func called(_ configure: @escaping (inout Configuration) -> Void = { _ in }) -> (Harness, String) {
        var h = Harness { config in
            config.stations = [StationConfig(name: "wall")]
            config.stations[0].role = .board
            configure(&config)
        }
        h.login(1)
        let label = h.takeTicket(1)
        h.advance(30)
        h.press("+", .counter(1))
        return (h, label)
    }

    @Test func aCallFlashesOneEmphasisASecondThenSettles() {
        var (h, label) = Self.called()
        var seen: [Tone?] = []
        for _ in 0..<8 {
            seen.append(Self.banner(h)?.tone)
            #expect(Self.banner(h).map { $0.text == "\(label) → 1" } ?? true)
            h.now = h.now.addingTimeInterval(1)
        }
        // Default board-flash-seconds = 6: emphasised on the call's second, then every other one.
        #expect(seen == [.accent, .normal, .accent, .normal, .accent, .normal, nil, nil])
        // Steady: the call is in the list with its counter, not large.
        let steady = Self.board(h)
        #expect(steady.blocks.contains(.table([["号码", "窗口", "状态"], [label, "1 号窗口", "请前往"]])))
    }

    @Test func aRecallFlashesAgainAndTheLengthIsConfigurable() {
        var (h, label) = Self.called { $0.boardFlashSeconds = 3 }
        h.now = h.now.addingTimeInterval(2)
        #expect(Self.banner(h)?.tone == .accent)
        h.now = h.now.addingTimeInterval(1)
        #expect(Self.banner(h) == nil)
        h.advance(40)
        h.press("-", .counter(1))  // recall
        #expect(h.last(.ticketRecalled)?.ticket == label)
        #expect(Self.banner(h)?.text == "\(label) → 1" && Self.banner(h)?.tone == .accent)
        h.now = h.now.addingTimeInterval(1)
        #expect(Self.banner(h)?.tone == .normal)
        h.now = h.now.addingTimeInterval(2)
        #expect(Self.banner(h) == nil)
    }

    @Test func aTicketNoLongerCalledDoesNotFlash() {
        var (h, _) = Self.called { $0.recallsBeforeNoShow = 0 }
        h.press("/", .counter(1))  // no-show at once
        #expect(h.last(.ticketNoShow) != nil)
        #expect(Self.banner(h) == nil)
    }

    @Test func keysFromABoardChangeNothingAndCallsAreStillAnnounced() {
        var (h, label) = Self.called()
        #expect(h.announcements == [Announcement(ticket: label, counter: 1)])
        let before = h.machine.state
        let lobby = ScreenBuilder(catalogs: shippedCatalogs()).screen(for: .lobby, h.machine, now: h.now)
        for key: Key in [.digit(1), .enter, .star, .plus, .minus, .slash, .dot, .backspace, .digit(0)] {
            let out = h.send(.key(key, station: .board, at: h.now, terminal: "wall"))
            #expect(out.events.isEmpty && out.announcements.isEmpty && out.prints.isEmpty)
        }
        #expect(h.machine.state == before)
        #expect(ScreenBuilder(catalogs: shippedCatalogs()).screen(for: .lobby, h.machine, now: h.now) == lobby)
    }

    @Test func theSteadyBoardShowsWaitingTimesEarlierCallsAndAdvice() {
        let steady = ScreenFixtures.board(.chinese).steady
        // Counter 2 serves B001; counter 1 called A001 after F001.
        #expect(steady.blocks.contains(.table([["号码", "窗口", "状态"], ["A001", "1 号窗口", "请前往"], ["B001", "2 号窗口", "办理中"]])))
        #expect(steady.blocks.contains(.text("F001（1 号窗口）", .normal)))
        guard let waiting = steady.blocks.compactMap({ if case .table(let rows) = $0, rows[0][0] == "业务" { rows } else { nil } }).first else {
            Issue.record("no waiting table"); return
        }
        #expect(waiting.count == 7)
        #expect(waiting[1][0] == "报修" && waiting[1][1] == "1 人")
        #expect(steady.blocks.contains(.text("办事高峰：09:00、10:00、14:00；较空闲：08:00、12:00、16:00", .muted)))
        #expect(steady.footer.hasPrefix("2026-11-24 09:"))

        // Nobody waiting and a counter free: no wait.
        var h = Harness()
        h.login(1)
        let empty = Self.board(h)
        #expect(empty.blocks.contains(.text("暂无叫号，请留意屏幕和广播", .muted)))
        #expect(empty.blocks.contains { if case .table(let rows) = $0 { rows.count == 7 && rows[1] == ["报修", "0 人", "无需等候"] } else { false } })
    }
}
