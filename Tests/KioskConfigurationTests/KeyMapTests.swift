import Foundation
import Testing
@testable import KioskCore

@Suite struct KeyMapTests {
    @Test func shippedFileParsesToTheDefaults() throws {
        let result = KeyMap.parse(try shipped("keymap.conf"), file: "keymap.conf")
        if case .failure(let errors) = result { Issue.record("keymap.conf does not parse:\n\(errors)") }
        let maps = try result.get()
        #expect(Set(maps.keys) == ["terminal", "evdev"])
        #expect(maps["terminal"] == KeyMap.defaultTerminal)
        #expect(maps["evdev"] == KeyMap.defaultEvdev)
    }

    @Test func defaultsCoverEveryKey() {
        let all: Set<Key> = Set((0...9).map(Key.digit) + [.star, .plus, .minus, .slash, .dot, .enter, .backspace])
        #expect(Set(KeyMap.defaultTerminal.bindings.values) == all)
        #expect(Set(KeyMap.defaultEvdev.bindings.values) == all)
        for name in KeyMap.defaultEvdev.bindings.keys { #expect(KeyMap.evdevCodes[name] != nil) }
    }

    @Test func terminalLookupTranslatesRawInput() {
        let map = KeyMap.defaultTerminal
        #expect(map.key(for: "7") == .digit(7))
        #expect(map.key(for: "*") == .star)
        #expect(map.key(for: ".") == .dot)
        #expect(map.key(for: "\r") == .enter)
        #expect(map.key(for: "\n") == .enter)
        #expect(map.key(for: "enter") == .enter)
        #expect(map.key(for: "\u{7f}") == .backspace)
        #expect(map.key(for: "\u{08}") == .backspace)
        #expect(map.key(for: "\u{1b}OM") == .enter)
        #expect(map.key(for: "\u{1b}Oq") == .digit(1))
        #expect(map.key(for: "a") == nil)
        #expect(map.key(for: "\u{1b}") == nil)
    }

    @Test func evdevLookup() {
        let map = KeyMap.defaultEvdev
        #expect(map.key(for: "KEY_KP1") == .digit(1))
        #expect(map.key(for: "KEY_KPPLUS") == .plus)
        #expect(map.key(for: "KEY_KPENTER") == .enter)
        #expect(map.key(for: "KEY_BACKSPACE") == .backspace)
        #expect(KeyMap.evdevName(code: 79) == "KEY_KP1")
        #expect(KeyMap.evdevName(code: 96) == "KEY_KPENTER")
    }

    @Test func customBindings() throws {
        let maps = try KeyMap.parse("""
            [terminal]
            a = star   # aliases of key names work too
            hash = enter
            q = backspace
            """, file: "keymap.conf").get()
        #expect(maps["evdev"] == nil)
        #expect(maps["terminal"] == KeyMap(bindings: ["a": .star, "hash": .enter, "q": .backspace]))
        #expect(maps["terminal"]!.key(for: "#") == .enter)
    }

    @Test func errorsAreAllReported() {
        let text = """
            [terminal]
            1 = 1
            1 = 2
            entr = enter
            x = 10
            y = entre
            [evdev]
            KEY_KP = 1
            KEY_KPENTR = enter
            [serial]
            z = 1
            [termnal]
            just words
            """
        guard case .failure(let errors) = KeyMap.parse(text, file: "keymap.conf") else { Issue.record("expected failure"); return }
        #expect(errors.errors.map(\.description) == [
            "keymap.conf:3: '1' is bound twice in [terminal] (first on line 2); keep only one",
            "keymap.conf:4: 'entr' in [terminal] is neither a single character nor a key name (did you mean 'enter'?)",
            "keymap.conf:5: '10' is not a key; use 0–9, *, +, -, /, ., enter or backspace",
            "keymap.conf:6: 'entre' is not a key (did you mean 'enter'?); use 0–9, *, +, -, /, ., enter or backspace",
            "keymap.conf:7: [evdev] binds no key to enter, so a keypad could never confirm a choice or a PIN; bind the keypad's Enter key, e.g. KEY_KPENTER = enter",
            "keymap.conf:8: 'KEY_KP' in [evdev] is not a known evdev key name (did you mean 'KEY_KP0'?)",
            "keymap.conf:9: 'KEY_KPENTR' in [evdev] is not a known evdev key name (did you mean 'KEY_KPENTER'?)",
            "keymap.conf:10: unknown section [serial]; key maps have [terminal] and [evdev] sections",
            "keymap.conf:12: unknown section [termnal] (did you mean [terminal]?)",
            "keymap.conf:13: 'just words' is neither a [section] header nor input = key; fix the line or comment it out with #",
        ])
    }
}
