import Foundation
import KioskCore
import KioskKeypad
import Testing

/// `keypad = auto`: choosing a station's keypad by what the device can do, from device
/// descriptions as evemu-record prints them (the recorded keypads in Recordings/).
@Suite("keypad selection by capability")
struct DeviceSelectionTests {
    static func recorded(_ name: String, path: String) throws -> InputDeviceInfo {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Recordings/\(name)")
        return EvemuRecording.parse(try String(contentsOf: url, encoding: .utf8)).device(at: path)
    }

    /// A 4-button rating pad that sends F1–F4 (bus USB), as evemu-record describes it.
    static let ratingPad = EvemuRecording.parse("""
        N: Feedback Pad
        I: 0003 1209 0004 0100
        B: 00 03 00 00 00 00 00 00 00
        B: 01 00 00 00 00 00 00 00 78
        B: 01 00 00 00 00 00 00 00 00
        """).device(at: "/dev/input/event7")

    /// The PS/2 keyboard every PC (and QEMU) has: a full keyboard with a keypad block, bus i8042.
    static func ps2Keyboard(keys: Set<UInt16>) -> InputDeviceInfo {
        InputDeviceInfo(path: "/dev/input/event0", name: "AT Translated Set 2 keyboard", bus: 0x11, keys: keys)
    }

    @Test func aRecordedUSBKeypadIsANumericKeypad() throws {
        let keypad = try Self.recorded("lobby-take-ticket.evemu", path: "/dev/input/event3")
        #expect(keypad.name == "Lobby USB Keypad")
        #expect(keypad.bus == InputDeviceInfo.busUSB)
        #expect(KeypadMatch.numericKeypad.accepts(keypad))
        #expect(!KeypadMatch.numericKeypad.accepts(Self.ratingPad))
    }

    @Test func aRatingPadIsFoundByItsOwnKeys() throws {
        let match = try #require(try? KeypadSpec.parse("auto:KEY_F1,KEY_F2,KEY_F3,KEY_F4").get())
        guard case .matching(let m) = match else { Issue.record("auto:… must select by capability"); return }
        #expect(m.accepts(Self.ratingPad))
        // A keypad that has only the keypad block is not a rating pad…
        let numericOnly = InputDeviceInfo(path: "/dev/input/event5", name: "Numeric Keypad", bus: InputDeviceInfo.busUSB,
                                          keys: Set(KeypadMatch.numericKeypad.keys + [KeyMap.evdevCodes["KEY_NUMLOCK"]!]))
        #expect(!m.accepts(numericOnly))
        // …but the recorded keypad reports a whole keyboard's keys (cheap USB keypads do), F1–F4 too.
        #expect(m.accepts(try Self.recorded("lobby-take-ticket.evemu", path: "/dev/input/event3")))
        #expect(match.description == "auto:KEY_F1,KEY_F2,KEY_F3,KEY_F4")
    }

    @Test func usbKeypadsComeBeforeTheBuiltInKeyboardInEventOrder() throws {
        let usb3 = try Self.recorded("lobby-take-ticket.evemu", path: "/dev/input/event3")
        var usb12 = try Self.recorded("counter-login-call.evemu", path: "/dev/input/event12")
        usb12.name = "Counter USB Keypad"
        let ps2 = Self.ps2Keyboard(keys: usb3.keys)
        let order = KeypadMatch.numericKeypad.candidates([usb12, ps2, Self.ratingPad, usb3]).map(\.path)
        #expect(order == ["/dev/input/event3", "/dev/input/event12", "/dev/input/event0"])
    }

    @Test func aKeypadHeldByAnotherStationIsPassedOver() throws {
        let devices = [try Self.recorded("lobby-take-ticket.evemu", path: "/dev/input/event3"),
                       try Self.recorded("counter-login-call.evemu", path: "/dev/input/event4")]
        // The grab decides: a device another station grabbed answers EBUSY.
        var grabbed: Set<String> = []
        func grab(_ path: String) throws -> KeypadDevice {
            guard grabbed.insert(path).inserted else { throw KeypadError("cannot grab keypad \(path): Device or resource busy") }
            return RawEventDevice(fileDescriptor: open("/dev/null", O_RDONLY), name: path)
        }
        let (first, firstPath) = try InputDeviceScanner.openFirst(matching: .numericKeypad, among: devices, folder: "/dev/input", opener: grab)
        let (second, secondPath) = try InputDeviceScanner.openFirst(matching: .numericKeypad, among: devices, folder: "/dev/input", opener: grab)
        #expect([firstPath, secondPath] == ["/dev/input/event3", "/dev/input/event4"])
        first.close(); second.close()
        #expect(throws: KeypadError.self) { try InputDeviceScanner.openFirst(matching: .numericKeypad, among: devices, folder: "/dev/input", opener: grab) }
        do {
            _ = try InputDeviceScanner.openFirst(matching: .numericKeypad, among: devices + [Self.ratingPad], unreadable: ["/dev/input/event9"], folder: "/dev/input", opener: grab)
        } catch {
            let message = "\(error)"
            #expect(message.contains("no free input device in /dev/input has KEY_KP0–KEY_KP9, KEY_KPENTER"))
            #expect(message.contains("/dev/input/event3, /dev/input/event4 in use by another station or program"))
            #expect(message.contains("member of the input group"))
            #expect(message.contains("waiting for one to be plugged in"))
        }
    }
}
