import Foundation
import KioskConsole
import KioskCore
import KioskTestSupport
import Testing

/// Every station screen (`ScreenFixtures.all`), in both languages, at 80×24 and 120×40, drawn
/// from real machine states through the real catalogs and the console layout; and the whole demo
/// terminal. `RECORD_SNAPSHOTS=1` rewrites them.
@Suite("Station screens")
struct StationScreenSnapshotTests {
    @Test(arguments: Language.allCases)
    func everyStationScreen(language: Language) {
        for (name, screen) in ScreenFixtures.all(language) {
            for (w, h) in [(80, 24), (120, 40)] {
                var canvas = TextCanvas(width: w, height: h)
                ScreenLayout.draw(screen, into: &canvas, frame: Rect(x: 0, y: 0, width: w, height: h), focused: true)
                let lines = canvas.plainLines()
                #expect(lines.count == h)
                for line in lines { #expect(DisplayWidth.of(line) <= w, "\(name) overflows: \(line)") }
                assertSnapshot(name: "station-\(language.rawValue)-\(name)-\(w)x\(h)", lines: lines)
            }
        }
    }

    @Test(arguments: Language.allCases)
    func wholeDemoTerminal(language: Language) {
        let d = ScreenFixtures.busyMorning(language)
        let screens = ScreenBuilder(catalogs: ScreenFixtures.catalogs).screens(d.machine, now: d.now)
        for (w, h) in [(80, 24), (160, 48)] {
            let canvas = DemoLayout.render(screens, focus: 1, width: w, height: h, hint: ScreenFixtures.catalogs[language].text("demo.hint"))
            let lines = canvas.plainLines()
            #expect(lines.count == h)
            assertSnapshot(name: "station-\(language.rawValue)-demo-\(w)x\(h)", lines: lines)
        }
    }
}
