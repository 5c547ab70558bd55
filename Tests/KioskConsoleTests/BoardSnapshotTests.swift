import Foundation
@testable import KioskConsole
import KioskCore
import KioskTestSupport
import Testing

/// The waiting-room board in the terminal: flashing and steady in both languages, and the demo
/// terminal with the board as its last panel (as `kioskd --demo` shows it, never focused).
@Suite("Board in the terminal")
struct BoardSnapshotTests {
    @Test(arguments: Language.allCases)
    func boardPanels(language: Language) {
        let board = ScreenFixtures.board(language)
        for (state, screen) in [("flash", board.flashing), ("steady", board.steady)] {
            let (w, h) = (120, 40)
            var canvas = TextCanvas(width: w, height: h)
            ScreenLayout.draw(screen, into: &canvas, frame: Rect(x: 0, y: 0, width: w, height: h), focused: false)
            let lines = canvas.plainLines()
            for line in lines { #expect(DisplayWidth.of(line) <= w, "\(state) overflows: \(line)") }
            assertSnapshot(name: "board-\(language.rawValue)-\(state)-\(w)x\(h)", lines: lines)
        }
        // The call in block letters, arrow and counter included.
        #expect(ScreenLayout.renderBanner("A001 → 1", tone: .accent, width: 110, mode: .big(sx: 2, sy: 1)).count == 5)
    }

    @Test func demoTerminalWithTheBoard() {
        var d = ScreenFixtures.busyMorning(.chinese, estimator: "rolling")
        d.advance(10)
        let builder = ScreenBuilder(catalogs: ScreenFixtures.catalogs)
        let screens = builder.screens(d.machine, now: d.now) + [builder.screen(for: .board, d.machine, now: d.now)]
        let canvas = DemoLayout.render(screens, focus: 0, width: 160, height: 48, hint: ScreenFixtures.catalogs[.chinese].text("demo.hint"), underFirst: 1)
        assertSnapshot(name: "board-demo-160x48", lines: canvas.plainLines())
    }
}
