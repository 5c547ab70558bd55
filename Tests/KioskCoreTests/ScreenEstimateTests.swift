import Foundation
import Testing
@testable import KioskCore

/// The screens' estimates are remembered per state of the line and second (`EstimateMemo`):
/// what they show must be exactly what the estimator answers fresh, and a key that changes
/// nothing in the line must not ask the estimator again.
@Suite("Screen estimates")
struct ScreenEstimateTests {
    /// Two counters with history, a line at both, a visit in progress at each: the forecast's
    /// answers depend on the line, the visits' elapsed time and the clock.
    static func busyLine() -> Harness {
        var h = Harness()
        h.login(1)
        h.login(2, staff: "1002")
        for (key, minutes) in [(1, 5.0), (2, 3.0), (1, 7.0), (4, 4.0), (1, 6.0), (2, 2.0)] {
            h.takeTicket(key)
            h.press("+E", .counter(key == 1 ? 1 : 2))
            h.advance(minutes * 60)
            h.press("E1", .counter(key == 1 ? 1 : 2))
            h.advance(10)
        }
        for key in [1, 2, 3, 4, 6, 1, 2] { h.takeTicket(key) }
        h.press("+E", .counter(1))
        h.press("+E", .counter(2))
        h.advance(95)
        return h
    }

    static var questions: [WaitQuestion] {
        Configuration().services.flatMap { s in [true, false].map { WaitQuestion.newTicket(service: s.id, priority: $0) } }
    }

    /// Every screen estimate equals the estimator's fresh answer for the same state and second.
    static func expectFresh(_ h: Harness, at now: Date, _ comment: Comment) {
        for q in questions + h.machine.state.waitingTickets.map({ .waiting(label: $0.label) }) {
            let fresh = h.machine.estimator.estimate(q, state: h.machine.state, now: now.wholeSeconds)
            #expect(h.machine.screenEstimate(q, now: now) == fresh, "\(q) \(comment)")
        }
    }

    @Test func rememberedEstimatesAreTheFreshOnesAndAKeyThatChangesNothingCostsNothing() {
        var h = Self.busyLine()
        let builder = ScreenBuilder(catalogs: shippedCatalogs())
        let before = builder.lobby(h.machine, now: h.now)
        #expect(h.machine.screenEstimatesComputed >= 6, "the lobby's table asks one estimate per service")
        Self.expectFresh(h, at: h.now, "after the first drawing")
        let computed = h.machine.screenEstimatesComputed

        // Choosing a service and going back, and the board, redrawn within the same second.
        for keys in ["1", "B", "2", "B", "*", "3", "B"] {
            h.press(keys, .lobby)
            _ = builder.lobby(h.machine, now: h.now.addingTimeInterval(0.4))
            _ = builder.board(h.machine, now: h.now.addingTimeInterval(0.7))
        }
        #expect(h.machine.screenEstimatesComputed == computed, "nothing was asked twice")
        #expect(builder.lobby(h.machine, now: h.now) == before)
        Self.expectFresh(h, at: h.now.addingTimeInterval(0.9), "after keys that changed nothing")

        // The clock's next second is asked afresh: the visits in progress are a second older.
        h.advance(1)
        _ = builder.lobby(h.machine, now: h.now)
        #expect(h.machine.screenEstimatesComputed >= 6)
        Self.expectFresh(h, at: h.now, "a second later")

        // An event (a ticket issued) makes a new state: nothing remembered from before is used.
        let copy = h.machine
        h.takeTicket(1)
        #expect(h.machine.screenEstimatesComputed == 0)
        Self.expectFresh(h, at: h.now, "after a new ticket")
        // The copy from before the event (as after a failed commit) still answers for its own state.
        var restored = h
        restored.machine = copy
        Self.expectFresh(restored, at: h.now, "on the machine restored to before the ticket")
    }

    /// A daemon's first frame (`showsEstimates` false) asks the estimator nothing: the tables'
    /// estimate cells are empty and the apologies wait; everything else is the settled screen's.
    @Test func theFirstFrameAsksNoEstimateAndDiffersOnlyInThem() {
        var h = Self.busyLine()
        h.advance(30 * 60)  // past the targets: the lobby apologises, with an estimate
        var first = ScreenBuilder(catalogs: shippedCatalogs())
        first.showsEstimates = false
        let lobby = first.lobby(h.machine, now: h.now), board = first.board(h.machine, now: h.now)
        #expect(h.machine.screenEstimatesComputed == 0)
        let settled = ScreenBuilder(catalogs: shippedCatalogs())
        let settledLobby = settled.lobby(h.machine, now: h.now), settledBoard = settled.board(h.machine, now: h.now)
        #expect(h.machine.screenEstimatesComputed >= 6)
        /// The service table: the screen's last table (the board's first is who is called now).
        func serviceTable(_ screen: Screen) -> [[String]] { screen.blocks.compactMap { if case .table(let rows) = $0 { rows } else { nil } }.last ?? [] }
        for (early, late) in [(lobby, settledLobby), (board, settledBoard)] {
            let (earlyRows, lateRows) = (serviceTable(early), serviceTable(late))
            #expect(earlyRows.count == lateRows.count && earlyRows.count > 1)
            for (e, l) in zip(earlyRows.dropFirst(), lateRows.dropFirst()) {
                #expect(e.dropLast() == l.dropLast(), "only the estimate column differs")
                #expect(e.last == "" && l.last != "")
            }
            #expect(early.title == late.title && early.footer == late.footer)
        }
        let apologies = settledLobby.blocks.filter { if case .text(_, .warning) = $0 { true } else { false } }
        #expect(!apologies.isEmpty, "the settled lobby apologises")
        #expect(lobby.blocks.count == settledLobby.blocks.count - apologies.count)
    }
}
