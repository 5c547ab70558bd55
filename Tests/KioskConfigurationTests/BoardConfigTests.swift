import KioskCore
import Testing

/// `role = board`: a display-only station; a keypad, key map or printer given to it is refused
/// on its own line, whichever comes first; `board-flash-seconds` in [kiosk].
@Suite("Board configuration")
struct BoardConfigTests {
    @Test func aBoardNeedsOnlyADisplay() throws {
        let text = """
        [kiosk]
        board-flash-seconds = 4

        [station wall]
        role = board
        display = file:/tmp/wall.fb?width=1920&height=1080&bpp=32
        rotation = 90
        """
        let config = try ConfigurationParser.parse(text, file: "kiosk.conf").get()
        #expect(config.boardFlashSeconds == 4)
        #expect(config.stations.map(\.role) == [.board])
        #expect(config.stations[0].rotation == 90 && config.stations[0].keypad == nil)
        #expect(try ConfigurationParser.parse("", file: "kiosk.conf").get().boardFlashSeconds == 6)
    }

    @Test func aKeypadOrPrinterOnABoardIsAnErrorOnItsLine() {
        let text = """
        [station wall]
        keypad = auto
        role = board
        display = fb:/dev/fb2
        printer = /dev/usb/lp1
        keys = KEY_F1:1

        [station hall]
        role = board
        display = fb:/dev/fb3
        """
        guard case .failure(let e) = ConfigurationParser.parse(text, file: "kiosk.conf") else {
            Issue.record("a board with a keypad must not parse"); return
        }
        let messages = e.errors.map(\.description)
        #expect(messages.count == 3)
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:2:") && $0.contains("keypad in [station wall] has no use") && $0.contains("remove the keypad line") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:5:") && $0.contains("printer in [station wall]") && $0.contains("prints nothing") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:6:") && $0.contains("remove the keys line") })
    }

    @Test func flashSecondsAndRoleMistakesSayWhatToWrite() {
        let text = """
        [kiosk]
        board-flash-seconds = 0

        [station wall]
        role = bord
        """
        guard case .failure(let e) = ConfigurationParser.parse(text, file: "kiosk.conf") else {
            Issue.record("must not parse"); return
        }
        let messages = e.errors.map(\.description)
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:2:") && $0.contains("board-flash-seconds = 0 in [kiosk] is out of range; use a number of seconds from 1 to 60") })
        #expect(messages.contains { $0.hasPrefix("kiosk.conf:5:") && $0.contains("or role = board") })
    }
}
