import KioskCore
import Testing

@testable import KioskKeypad

/// keymap.conf's [evdev] section reaches the keypad whole: every key name it accepts, bound to a
/// key, produces that key when pressed.
@Suite struct EvdevKeyMapTests {
    @Test func everyNamedKeyWorksWhenBound() {
        for (name, code) in KeyMap.evdevCodes {
            var decoder = KeypadDecoder(keyMap: KeyMap(bindings: [name: .digit(3)]))
            let press = [InputEvent(time: 0, type: InputEvent.key, code: code, value: 1), InputEvent(time: 0, type: InputEvent.synchronization, code: InputEvent.synReport, value: 0)]
            #expect(press.flatMap { decoder.feed($0) } == [.key(.digit(3))], "\(name)")
        }
    }
}
