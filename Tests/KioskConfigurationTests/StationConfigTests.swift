import KioskCore
import Testing

@Suite("Station configuration")
struct StationConfigTests {
    @Test func stationsNameTheirDisplayKeypadAndRole() throws {
        let text = """
        [station lobby]
        role = lobby
        display = fb:/dev/fb0
        keypad = /dev/input/by-id/usb-Lobby_Keypad-event-kbd
        rotation = 90

        [station pad-1]
        role = counter 1
        display = file:/tmp/pad1.fb?width=800&height=480&bpp=16
        keypad = evemu:/var/lib/kiosk/demo.evemu
        keys = KEY_F1:1, KEY_F2:2, KEY_F3:3, KEY_F4:4
        font = /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc#2

        [station desk-2]
        role = counter 2
        display = terminal
        keypad = auto
        """
        let config = try ConfigurationParser.parse(text, file: "kiosk.conf").get()
        #expect(config.stations.count == 3)
        #expect(config.stations[2].keypad == .matching(.numericKeypad))
        let lobby = config.stations[0], pad = config.stations[1]
        #expect(lobby.role == .lobby && lobby.display == .framebuffer(path: "/dev/fb0") && lobby.rotation == 90)
        #expect(lobby.keypad == .evdev(path: "/dev/input/by-id/usb-Lobby_Keypad-event-kbd"))
        #expect(pad.role == .counter(1))
        #expect(pad.display == .file(path: "/tmp/pad1.fb", width: 800, height: 480, bitsPerPixel: 16))
        #expect(pad.keypad == .evemu(path: "/var/lib/kiosk/demo.evemu"))
        #expect(pad.keys?["KEY_F3"] == .digit(3))
        #expect(pad.font?.hasSuffix("#2") == true)
    }

    @Test func mistakesAreReportedWithLineAndRemedy() {
        let text = """
        [station lobby]
        role = reception
        display = fb0
        keypad = keypad1
        rotation = 45
        keys = F1=1
        dispaly = terminal

        [station pad-9]
        role = counter 9
        display = file:/tmp/x.fb?width=800
        keypad = auto:KEY_F1,KEY_FF2
        """
        guard case .failure(let e) = ConfigurationParser.parse(text, file: "kiosk.conf") else {
            Issue.record("a broken [station] must not parse"); return
        }
        let messages = e.errors.map(\.description)
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:2:") && $0.contains("role = lobby or role = counter N") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:3:") && $0.contains("fb:/dev/fbN") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:4:") && $0.contains("evemu:PATH") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:5:") && $0.contains("0, 90, 180 or 270") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:6:") && $0.contains("KEY_NAME:KEY") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:7:") && $0.contains("did you mean 'display'") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:9:") && $0.contains("no [counter 9]") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:11:") && $0.contains("width and height are required") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:12:") && $0.contains("'KEY_FF2' is not a known evdev key name (did you mean 'KEY_F2'?)") })
    }
}
