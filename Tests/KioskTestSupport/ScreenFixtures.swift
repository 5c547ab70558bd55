import Foundation
import KioskCore

/// Every station screen in both languages, from real machine states driven by keys on a manual
/// clock. The console snapshots and the framebuffer golden images draw the same screens.
public enum ScreenFixtures {
    /// 2026-11-24 09:00 in Shanghai.
    public static let start = Date(timeIntervalSince1970: 1_795_482_000)

    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let catalogs: Catalogs = {
        guard case .success(let c) = CatalogParser.loadAll(directory: repositoryRoot.appendingPathComponent("Kiosk/messages").path) else {
            fatalError("catalogs in Kiosk/messages do not load")
        }
        return c
    }()

    /// A machine driven by keys (`E` Enter, `B` Backspace) on a manual clock.
    public struct Driver {
        public var machine: KioskMachine
        public var now = ScreenFixtures.start

        /// `estimator`: pinned by screens whose pictures must not move when the default changes.
        public init(language: Language, estimator: String? = nil) {
            var config = Configuration()
            config.language = language
            if let estimator { config.estimator = estimator }
            machine = KioskMachine(configuration: config, catalog: ScreenFixtures.catalogs[.chinese], day: "2026-11-24")
        }

        public mutating func press(_ keys: String, _ station: StationID) {
            for ch in keys {
                let key: Key = ch == "E" ? .enter : ch == "B" ? .backspace : Key(name: String(ch))!
                _ = machine.handle(.key(key, station: station, at: now))
            }
        }

        public mutating func advance(_ seconds: Double) {
            now = now.addingTimeInterval(seconds)
            _ = machine.handle(.tick(now))
        }

        public func screen(_ station: StationID) -> Screen {
            ScreenBuilder(catalogs: ScreenFixtures.catalogs).screen(for: station, machine, now: now)
        }
    }

    /// Two counters open, people waiting, one past its target, two calls made, busy/quiet advice.
    public static func busyMorning(_ language: Language, estimator: String? = nil) -> Driver {
        var d = Driver(language: language, estimator: estimator)
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
        _ = d.machine.handle(.quietHours(QuietHoursAdvice(busy: [9, 10, 14], quiet: [8, 12, 16])))
        return d
    }

    /// The waiting-room board later on the busy morning (the `rolling` estimator, so the pictures
    /// do not depend on the default): B001 being served at counter 2, F001 served and rated at
    /// counter 1, which has just called A001. `flashing`: the second of that call (the call large,
    /// emphasised); `steady`: 10 s later, the list with the earlier call and the waiting times.
    public static func board(_ language: Language) -> (flashing: Screen, steady: Screen) {
        var d = busyMorning(language, estimator: "rolling")
        d.press("E", .counter(2))
        d.press("E", .counter(1))
        d.advance(240)
        d.press("E", .counter(1))
        d.press("1", .counter(1))
        d.advance(8)
        d.press("+", .counter(1))
        let flashing = d.screen(.board)
        d.advance(10)
        return (flashing, d.screen(.board))
    }

    /// (name, screen) for every screen a station can show.
    public static func all(_ language: Language) -> [(name: String, screen: Screen)] {
        var out: [(String, Screen)] = []
        var d = busyMorning(language)
        out.append(("lobby-idle", d.screen(.lobby)))
        d.press("4", .lobby)
        out.append(("lobby-choose", d.screen(.lobby)))
        d.press("B*", .lobby)
        out.append(("lobby-priority", d.screen(.lobby)))
        d.press("1E", .lobby)
        out.append(("ticket", d.screen(.lobby)))

        out.append(("counter-logged-out", Driver(language: language).screen(.counter(1))))
        var login = Driver(language: language)
        login.press("01001E12", .counter(1))
        out.append(("counter-login-pin", login.screen(.counter(1))))
        var c = busyMorning(language)
        out.append(("counter-called-care", c.screen(.counter(1))))
        c.press("E8", .counter(1))
        out.append(("counter-serving", c.screen(.counter(1))))
        c.press(".", .counter(1))
        out.append(("counter-transfer", c.screen(.counter(1))))

        var p = busyMorning(language)
        p.press("E", .counter(1))
        p.advance(300)
        p.press("E", .counter(1))
        out.append(("pad-question", p.screen(.counter(1))))
        p.press("4", .counter(1))
        out.append(("pad-reason", p.screen(.counter(1))))
        p.press("1", .counter(1))
        out.append(("pad-commitment", p.screen(.counter(1))))
        p.press("5", .counter(2))
        p.advance(15)
        out.append(("pad-farewell", p.screen(.counter(1))))
        // Storage: the neutral screen residents see while nothing can be stored, and the counter
        // with the problem on top (staff get the details).
        let s = busyMorning(language)
        let problem = "/var/lib/kiosk/kiosk.sqlite: the disk is full while appending events (free some space on the disk holding --state-dir)"
        let builder = ScreenBuilder(catalogs: ScreenFixtures.catalogs)
        out.append(("storage-paused", builder.screen(for: .lobby, s.machine, now: s.now, storageProblem: problem)))
        out.append(("storage-counter", builder.screen(for: .counter(1), s.machine, now: s.now, storageProblem: problem)))
        return out + cases(language)
    }

    /// The busy morning with counter 1's visit rated 不满意 (long wait): case R20261124-001 open,
    /// the pad at its commitment.
    public static func caseMorning(_ language: Language) -> Driver {
        var d = busyMorning(language)
        d.press("E", .counter(1))
        d.advance(300)
        d.press("E", .counter(1))
        d.press("41", .counter(1))
        return d
    }

    /// The case screens: the lobby lookup (typing, found from this kiosk's events, found on the
    /// centre's board as of its pull, unknown, locked) and a counter's case, its choices, its root
    /// causes and an escalation alert.
    public static func cases(_ language: Language) -> [(name: String, screen: Screen)] {
        var out: [(String, Screen)] = []
        var d = caseMorning(language)
        d.press(".2026112", .lobby)
        out.append(("lookup-typing", d.screen(.lobby)))
        d.press("4001E", .lobby)
        out.append(("lookup-found", d.screen(.lobby)))
        d.press("E.20261124999E", .lobby)
        out.append(("lookup-unknown", d.screen(.lobby)))
        d.press(".20261124998E.20261124997E", .lobby)
        d.advance(20)
        d.press(".", .lobby)
        out.append(("lookup-locked", d.screen(.lobby)))

        var board = CaseState(ref: "R20261124-001", day: "2026-11-24", severity: .serious, openedAt: d.now.addingTimeInterval(-600),
                              replyBy: d.now.addingTimeInterval(-600 + 48 * 3600))
        board.status = .handling
        board.assignee = "wang.li"
        board.reason = "reason.wait"
        board.service = "repairs"
        board.firstReplyAt = d.now.addingTimeInterval(-60)
        board.firstReplyChannel = "phone"
        board.resolveBy = d.now.addingTimeInterval(-600 + 6 * 3600)
        board.version = 4
        var other = CaseState(ref: "R20261123-004", day: "2026-11-23", severity: .ordinary, openedAt: d.now.addingTimeInterval(-49 * 3600),
                              replyBy: d.now.addingTimeInterval(-3600))
        other.escalations = ["reply.near", "reply.overdue"]
        other.version = 3
        _ = d.machine.handle(.casesPulled([board, other], asOf: d.now))
        d.advance(45)
        d.press(".20261124001E", .lobby)
        out.append(("lookup-pulled", d.screen(.lobby)))

        var c = caseMorning(language)
        var near = CaseState(ref: "R20261124-002", day: "2026-11-24", severity: .serious, openedAt: c.now.addingTimeInterval(-3600),
                             replyBy: c.now.addingTimeInterval(900))
        near.escalations = ["reply.near"]
        near.version = 2
        _ = c.machine.handle(.casesPulled([near], asOf: c.now))
        out.append(("counter-case", c.screen(.counter(1))))
        c.press("7", .counter(1))
        out.append(("counter-case-choose", c.screen(.counter(1))))
        c.press("2", .counter(1))
        out.append(("counter-case-cause", c.screen(.counter(1))))
        return out
    }
}
