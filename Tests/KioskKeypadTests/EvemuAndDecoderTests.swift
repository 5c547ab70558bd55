import Foundation
import KioskCore
import KioskKeypad
import Testing

@Suite("evemu recordings and key decoding")
struct EvemuAndDecoderTests {
    static func key(_ code: UInt16, _ value: Int32, at t: Double = 0) -> InputEvent { InputEvent(time: t, type: InputEvent.key, code: code, value: value) }
    static let report = InputEvent(time: 0, type: 0, code: 0, value: 0)
    static let dropped = InputEvent(time: 0, type: 0, code: 3, value: 0)

    @Test func undecodableLinesAreReportedWithTheirNumberAndSkipped() {
        let text = """
        # EVEMU 1.3
        N: Test Keypad
        I: 0003 0627 0001 0111
        E: 0.000001 0001 004f 1
        E: 0.1 0001 zz 1
        E: 0.200000 0001 004f
        garbage here
        E: 0.300000 0000 0000 0   # SYN_REPORT
        """
        let r = EvemuRecording.parse(text)
        #expect(r.deviceName == "Test Keypad")
        #expect(r.events.count == 2)
        #expect(r.problems.map(\.line) == [5, 6, 7])
        #expect(r.problems[0].description.hasPrefix("line 5:"))
    }

    @Test func formatAndParseRoundTrip() {
        let events = [Self.key(79, 1, at: 1.25), Self.key(79, 0, at: 1.5), InputEvent(time: 1.5, type: 0, code: 0, value: 0)]
        #expect(EvemuRecording.parse(EvemuRecording.format(events)).events == events)
    }

    @Test func replayKeepsTheRecordedIntervals() {
        let events = [Self.key(79, 1, at: 10.0), Self.key(79, 0, at: 10.5), Self.key(80, 1, at: 12.0)]
        var replay = EvemuReplay(events: events, start: 100)
        #expect(replay.due(now: 100).count == 1)
        #expect(replay.delay(now: 100) == 0.5)
        #expect(replay.due(now: 100.4).isEmpty)
        #expect(replay.due(now: 100.5).count == 1)
        #expect(replay.due(now: 101.9).isEmpty)
        #expect(replay.due(now: 102).count == 1)
        #expect(replay.isFinished && replay.delay(now: 103) == nil)
    }

    @Test func pressesCountReleasesAndRepeatsDoNot() {
        var d = KeypadDecoder(keyMap: .defaultEvdev)
        let actions = [Self.key(69, 1), Self.report, Self.key(69, 0), Self.report, Self.key(79, 1), Self.report, Self.key(79, 2), Self.report,
                       Self.key(79, 2), Self.report, Self.key(79, 0), Self.report, Self.key(96, 1), Self.report].flatMap { d.feed($0) }
        #expect(actions == [.key(.digit(1)), .key(.enter)])
    }

    @Test func afterSynDroppedEverythingUntilTheReportIsDiscarded() {
        var d = KeypadDecoder(keyMap: .defaultEvdev)
        #expect(d.feed(Self.key(79, 1)) == [])
        #expect(d.feed(Self.report) == [.key(.digit(1))])
        #expect(d.feed(Self.key(74, 1)) == [])  // -, in the frame the overflow cut short
        #expect(d.feed(Self.dropped) == [.dropped])
        #expect(d.feed(Self.key(73, 1)) == [])  // 9, inside the dropped report
        #expect(d.feed(Self.report) == [])
        // The device says 8 is now down and 1 is up: 8 was pressed in the gap.
        #expect(d.resync(down: [72]) == [.digit(8)])
        #expect(d.feed(Self.key(72, 0)) + d.feed(Self.report) == [])
        #expect(d.feed(Self.key(79, 1)) + d.feed(Self.report) == [.key(.digit(1))])
    }

    @Test func aRatingPadWithOtherCodesCanBeMapped() throws {
        let maps = try KeyMap.parse("[evdev]\nKEY_ESC = 1\nKEY_TAB = 2\nKEY_SPACE = 3\nKEY_ENTER = 4\nKEY_KPENTER = enter\n", file: "pad.conf").get()
        var d = KeypadDecoder(keyMap: try #require(maps["evdev"]))
        #expect(d.feed(Self.key(57, 1)) + d.feed(Self.report) == [.key(.digit(3))])
    }
}
