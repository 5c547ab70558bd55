import Foundation
import KioskConsole
import KioskCore
import Testing

/// Every station screen, in both languages, at 80×24 and 120×40, drawn from real machine states
/// through the real catalogs and the console layout. `RECORD_SNAPSHOTS=1` rewrites them.
@Suite("Station screens")
struct StationScreenSnapshotTests {
    /// 2026-11-24 09:00 in Shanghai.
    static let start = Date(timeIntervalSince1970: 1_795_482_000)

    static let catalogs: Catalogs = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard case .success(let c) = CatalogParser.loadAll(directory: root.appendingPathComponent("Kiosk/messages").path) else {
            fatalError("catalogs in Kiosk/messages do not load")
        }
        return c
    }()

    /// A machine driven by keys on a manual clock.
    struct Driver {
        var machine: KioskMachine
        var now = StationScreenSnapshotTests.start

        init(language: Language) {
            var config = Configuration()
            config.language = language
            machine = KioskMachine(configuration: config, catalog: StationScreenSnapshotTests.catalogs[.chinese], day: "2026-11-24")
        }

        mutating func press(_ keys: String, _ station: StationID) {
            for ch in keys {
                let key: Key = ch == "E" ? .enter : ch == "B" ? .backspace : Key(name: String(ch))!
                _ = machine.handle(.key(key, station: station, at: now))
            }
        }

        mutating func advance(_ seconds: Double) {
            now = now.addingTimeInterval(seconds)
            _ = machine.handle(.tick(now))
        }

        func screen(_ station: StationID) -> Screen {
            ScreenBuilder(catalogs: StationScreenSnapshotTests.catalogs).screen(for: station, machine, now: now)
        }
    }

    /// The busy morning every screen is taken from: two counters open, people waiting, one past
    /// its target, two calls made, busy/quiet advice from history.
    static func busyMorning(_ language: Language) -> Driver {
        var d = Driver(language: language)
        d.press("01001E1234E", .counter(1))
        d.press("01002E1234E", .counter(2))
        d.press("1E", .lobby)
        d.press("1E", .lobby)
        d.advance(60)
        d.press("2E", .lobby)
        d.press("*6E", .lobby)
        d.advance(11 * 60)
        d.press("+", .counter(1))
        d.press("+", .counter(2))
        d.press("3EE", .lobby)
        d.advance(5)
        d.machine.quietHours = (busy: [9, 10, 14], quiet: [8, 12, 16])
        return d
    }

    static func render(_ screen: Screen, width: Int, height: Int) -> [String] {
        var canvas = TextCanvas(width: width, height: height)
        ScreenLayout.draw(screen, into: &canvas, frame: Rect(x: 0, y: 0, width: width, height: height), focused: true)
        return canvas.plainLines()
    }

    static func check(_ name: String, _ screen: Screen, sourceLocation: SourceLocation = #_sourceLocation) {
        for (w, h) in [(80, 24), (120, 40)] {
            let lines = render(screen, width: w, height: h)
            #expect(lines.count == h, sourceLocation: sourceLocation)
            for line in lines { #expect(DisplayWidth.of(line) <= w, "\(name) overflows: \(line)", sourceLocation: sourceLocation) }
            assertSnapshot(name: "station-\(name)-\(w)x\(h)", lines: lines, sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Language.allCases)
    func lobbyScreens(language: Language) {
        let l = language.rawValue
        var d = Self.busyMorning(language)
        Self.check("\(l)-lobby-idle", d.screen(.lobby))
        d.press("4", .lobby)
        Self.check("\(l)-lobby-choose", d.screen(.lobby))
        d.press("B*", .lobby)
        Self.check("\(l)-lobby-priority", d.screen(.lobby))
        d.press("1E", .lobby)
        Self.check("\(l)-ticket", d.screen(.lobby))
    }

    @Test(arguments: Language.allCases)
    func counterScreens(language: Language) {
        let l = language.rawValue
        var d = Self.busyMorning(language)
        Self.check("\(l)-counter-logged-out", Driver(language: language).screen(.counter(1)))
        var login = Driver(language: language)
        login.press("01001E12", .counter(1))
        Self.check("\(l)-counter-login-pin", login.screen(.counter(1)))
        // Counter 1 has called A001, who waited past the target; A002 waits too.
        Self.check("\(l)-counter-called-care", d.screen(.counter(1)))
        d.press("E8", .counter(1))
        Self.check("\(l)-counter-serving", d.screen(.counter(1)))
        d.press(".", .counter(1))
        Self.check("\(l)-counter-transfer", d.screen(.counter(1)))
    }

    @Test(arguments: Language.allCases)
    func ratingPadScreens(language: Language) {
        let l = language.rawValue
        var d = Self.busyMorning(language)
        d.press("E", .counter(1))
        d.advance(300)
        d.press("E", .counter(1))
        Self.check("\(l)-pad-question", d.screen(.counter(1)))
        d.press("4", .counter(1))
        Self.check("\(l)-pad-reason", d.screen(.counter(1)))
        d.press("1", .counter(1))
        Self.check("\(l)-pad-commitment", d.screen(.counter(1)))
        d.press("5", .counter(2))  // staff at counter 2 report rain
        d.advance(15)
        Self.check("\(l)-pad-farewell-rain-case", d.screen(.counter(1)))
    }

    @Test(arguments: Language.allCases)
    func wholeDemoTerminal(language: Language) {
        let d = Self.busyMorning(language)
        let screens = ScreenBuilder(catalogs: Self.catalogs).screens(d.machine, now: d.now)
        for (w, h) in [(80, 24), (160, 48)] {
            let canvas = DemoLayout.render(screens, focus: 1, width: w, height: h, hint: Self.catalogs[language].text("demo.hint"))
            let lines = canvas.plainLines()
            #expect(lines.count == h)
            assertSnapshot(name: "station-\(language.rawValue)-demo-\(w)x\(h)", lines: lines)
        }
    }
}
