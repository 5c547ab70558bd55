import Foundation
import Testing
@testable import KioskCore

/// What the machine asks the adapters to do, and what they report back: everything goes through
/// `handle`, in and out, nothing through a side channel.
@Suite("The machine's output and its follow-up inputs")
struct MachineOutputTests {
    /// Two lobby stations: east with its own printer, west on the `[kiosk]` one.
    func twoLobbies() -> Harness {
        Harness {
            $0.printer = "/dev/usb/lp9"
            var east = StationConfig(name: "east")
            east.printer = "/dev/usb/lp0"
            $0.stations = [east, StationConfig(name: "west")]
        }
    }

    @Test func aTicketIsPrintedOnThePrinterOfTheStationThatTookItInItsLanguage() {
        var h = twoLobbies()
        h.press("0", .lobby, terminal: "west")  // west's resident reads English
        let east = h.send(.key(.digit(1), station: .lobby, at: h.now, terminal: "east"))
        #expect(east.prints.isEmpty, "choosing prints nothing")
        let eastTicket = h.send(.key(.enter, station: .lobby, at: h.now, terminal: "east"))
        #expect(eastTicket.prints.map(\.printer) == ["/dev/usb/lp0"])
        #expect(eastTicket.prints.first?.station == "east" && eastTicket.prints.first?.language == .chinese)
        #expect(eastTicket.prints.first?.ticket == eastTicket.events.first)
        h.press("2", .lobby, terminal: "west")
        let westTicket = h.send(.key(.enter, station: .lobby, at: h.now, terminal: "west"))
        #expect(westTicket.prints.map(\.printer) == ["/dev/usb/lp9"])
        #expect(westTicket.prints.first?.language == .english && westTicket.prints.first?.ticket.ticket == "B001")
    }

    @Test func withoutAPrinterNothingIsPrinted() {
        var h = Harness()
        h.press("1", .lobby)
        #expect(h.send(.key(.enter, station: .lobby, at: h.now)).prints.isEmpty)
        #expect(h.machine.state.tickets["A001"] != nil)
    }

    @Test func aPrinterFailureComesBackAsALaterInputAndOnlyItsOwnPrinterClearsIt() throws {
        var h = twoLobbies()
        h.press("1", .lobby, terminal: "east")
        let eastJob = try #require(h.send(.key(.enter, station: .lobby, at: h.now, terminal: "east")).prints.first)
        #expect(h.machine.state.printerProblem == nil, "issuing never waits for the printer")
        let failed = h.send(.printed(eastJob, problem: "paper-out", at: h.now))
        #expect(failed.events.map(\.type) == [.printerFailed])
        #expect(failed.events.first?.ticket == "A001" && failed.events.first?.station == "east" && failed.events.first?.detail == "paper-out")
        #expect(h.machine.state.printerProblem == "paper-out")
        // The west printer works, but the east one has not printed since: the alert stays.
        h.press("1", .lobby, terminal: "west")
        let westJob = try #require(h.send(.key(.enter, station: .lobby, at: h.now, terminal: "west")).prints.first)
        #expect(h.send(.printed(westJob, problem: nil, at: h.now)).events.isEmpty)
        #expect(h.machine.state.printerProblem == "paper-out")
        // East prints again: the alert goes, with one line for the operator's log.
        let back = h.send(.printed(eastJob, problem: nil, at: h.now))
        #expect(back.events.map(\.type) == [.printerRecovered])
        #expect(back.log == ["printer /dev/usb/lp0 (station east) prints again"])
        #expect(h.machine.state.printerProblem == nil)
    }

    @Test func quietHoursAdviceIsAnInputAndANewDayAsksForIt() {
        var h = Harness()
        #expect(h.machine.quietHours == nil)
        let advice = QuietHoursAdvice(busy: [9, 10], quiet: [15])
        #expect(h.send(.quietHours(advice)) == KioskOutput())
        #expect(h.machine.quietHours == advice)
        #expect(!h.send(.tick(h.now)).needsQuietHours)
        h.now = morning.addingTimeInterval(20 * 3600)  // 05:00 the next morning
        #expect(h.send(.tick(h.now)).needsQuietHours)
        #expect(!h.send(.tick(h.now)).needsQuietHours, "once per day")
    }

    @Test func aFarewellEndsWithAnEventSoAReplayLandsOnTheSamePad() {
        var h = Harness()
        h.login(1)
        h.takeTicket(1)
        h.press("+EE", .counter(1))
        h.press("1", .counter(1))
        guard case .farewell = h.machine.state.counters[1]?.pad else { Issue.record("no farewell"); return }
        h.advance(7)
        #expect(h.last(.farewellEnded) == nil)
        h.advance(1)
        let ended = h.last(.farewellEnded)
        #expect(ended?.counter == 1 && ended?.ticket == "A001")
        #expect(h.machine.state.counters[1]?.pad == .idle)
        let restored = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        #expect(restored.state == h.machine.state)
    }

    @Test func aNewBusinessDayBeginsInOnePlaceLiveAndOnReplay() {
        var h = Harness()
        h.takeTicket(1)
        h.now = morning.addingTimeInterval(19 * 3600)  // 04:00: the next business day
        h.send(.tick(h.now))
        #expect(h.machine.state.day == "2026-11-25" && !h.machine.state.dayClosed)
        // A replay of the closed day alone stays closed until an event of the new day comes.
        var replayed = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        #expect(replayed.state.day == "2026-11-24" && replayed.state.dayClosed)
        _ = replayed.handle(.tick(h.now))
        #expect(replayed.state == h.machine.state)
    }
}

@Suite("Counter keys")
struct CounterKeyTableTests {
    @Test func theTableWritesTheHintsOfBothLanguages() {
        let catalogs = shippedCatalogs()
        #expect(CounterKeys.hint(loggedIn: true, catalogs[.chinese]) == "+ 叫号 - 重呼 / 过号 . 转办 确认 开始/完成 * 关怀确认 8 未解决 7 跟进 9 暂停 5 天气 0 退出")
        #expect(CounterKeys.hint(loggedIn: true, catalogs[.english]) == "+ call - recall / no-show . transfer Enter start/finish * care 8 unresolved 7 case 9 pause 5 weather 0 log out")
        #expect(CounterKeys.hint(loggedIn: false, catalogs[.chinese]) == "按 0 登录")
        #expect(CounterKeys.hint(loggedIn: false, catalogs[.english]) == "Press 0 to log in")
    }

    @Test func everyKeyHasOneActionAndEveryActionOneKey() {
        let keys = CounterKeys.loggedIn.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(Set(CounterKeys.loggedIn.map(\.action)) == Set(CounterAction.allCases))
        for (key, action) in CounterKeys.loggedIn { #expect(CounterKeys.action(for: key) == action) }
        #expect(CounterKeys.action(for: .digit(1)) == nil && CounterKeys.action(for: .backspace) == nil)
    }

    @Test func countersTextsNameTheKeysOfTheTable() {
        var h = Harness()
        h.press("5", .counter(1))  // logged out: log in first
        let screen = ScreenBuilder(catalogs: shippedCatalogs()).counter(1, h.machine, now: h.now)
        let texts = screen.blocks.compactMap { if case .text(let s, _) = $0 { return s } else { return nil } }
        #expect(texts.contains("请先按 0 登录"))
        #expect(screen.footer.hasSuffix("按 0 登录"))
        let english = CounterKeys.placeholders(shippedCatalogs()[.english])
        #expect(shippedCatalogs()[.english].text("counter.notice.paused", english) == "Counter paused; press 9 to resume")
        #expect(english["key.start-finish"] == "Enter" && english["key.care"] == "*" && english["key.log-in"] == "0")
    }

    /// The table drives the keys: a key the table gives an action does it, one it does not is ignored.
    @Test func theTableDrivesTheCounter() {
        var h = Harness()
        h.login(1)
        h.takeTicket(1)
        #expect(h.press(CounterKeys.loggedIn.first { $0.action == .call }!.key.name, .counter(1)).map(\.type) == [.ticketCalled])
        #expect(h.press(CounterKeys.loggedIn.first { $0.action == .recall }!.key.name, .counter(1)).map(\.type) == [.ticketRecalled])
        #expect(h.press("E", .counter(1)).map(\.type) == [.serviceStarted])
        for unbound in ["1", "2", "3", "4", "6", "7", "B"] { #expect(h.press(unbound, .counter(1)).isEmpty, "\(unbound)") }
        #expect(h.press("E", .counter(1)).map(\.type) == [.serviceFinished])
    }
}

@Suite("Wait estimators")
struct EstimatorChoiceTests {
    @Test func forecastIsTheDefaultAndRollingAndQLCanBeChosen() throws {
        #expect(Configuration().estimator == "forecast")
        #expect(WaitEstimators.names == ["forecast", "rolling", "ql"])
        #expect(Harness().machine.estimator is ForecastWaitEstimator)
        #expect(Harness { $0.estimator = "rolling" }.machine.estimator is RollingWaitEstimator)
        #expect(Harness { $0.estimator = "ql" }.machine.estimator is QueueLengthWaitEstimator)
    }

    @Test func rollingLearnsFromTheEventsLiveAndOnReplay() throws {
        var h = Harness { $0.estimator = "rolling" }
        h.login(1)
        h.takeTicket(1)
        h.press("+E", .counter(1))
        h.advance(12 * 60)
        h.press("E", .counter(1))
        let rolling = try #require(h.machine.estimator as? RollingWaitEstimator)
        #expect(rolling.serviceTimes["repairs"] == [720])
        // Two waiting, one open counter, 12 minutes each: 24 minutes, the 20–25 range.
        h.takeTicket(1)
        h.takeTicket(1)
        #expect(h.machine.estimate(.newTicket(service: "repairs", priority: false), now: h.now)
            == WaitEstimate(low: 20, high: 25, point: 24, countersOpen: true))
        let restored = KioskMachine.restore(configuration: h.machine.configuration, catalog: shippedCatalogs()[.chinese], events: h.events, now: h.now)
        #expect(restored.estimator as? RollingWaitEstimator == rolling)
    }

    @Test func theWindowComesFromTheConfiguration() throws {
        var h = Harness { $0.estimateWindow = 2; $0.estimator = "rolling" }
        h.login(1)
        for minutes in [4.0, 6, 8] {
            h.takeTicket(1)
            h.press("+E", .counter(1))
            h.advance(minutes * 60)
            h.press("E1", .counter(1))
        }
        #expect(try #require(h.machine.estimator as? RollingWaitEstimator).serviceTimes["repairs"] == [360, 480])
    }
}
