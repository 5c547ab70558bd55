import KioskCore
import Testing

@testable import KioskConsole

/// keymap.conf's [terminal] section reaches the console whole: every input it can name, bound
/// to a key, produces that key.
@Suite struct TerminalKeyMapTests {
    func decode(_ map: KeyMap, _ input: String) -> [TerminalInput] {
        var d = TerminalKeyDecoder(keyMap: map)
        return d.feed(Array(input.utf8)) + d.flush()
    }

    @Test func everyNamedInputWorksWhenBound() {
        for (name, sequences) in KeyMap.terminalNames {
            let map = KeyMap(bindings: [name: .digit(7)])
            for s in sequences {
                #expect(decode(map, s) == [.key(.digit(7))], "\(name) sent as \(Array(s.utf8))")
            }
        }
    }

    @Test func everyPrintableCharacterWorksWhenBound() {
        for byte in UInt8(0x21)...UInt8(0x7E) {
            let c = String(UnicodeScalar(byte))
            #expect(decode(KeyMap(bindings: [c: .star]), c) == [.key(.star)], "\(c)")
        }
    }

    @Test func kpEnterBoundElsewhereIsNoLongerEnter() throws {
        let maps = try KeyMap.parse("[terminal]\nkp-enter = 5\nhash = enter\nspace = backspace\n", file: "keymap.conf").get()
        let map = try #require(maps["terminal"])
        #expect(decode(map, "\u{1b}OM") == [.key(.digit(5))])
        #expect(decode(map, "#") == [.key(.enter)])
        #expect(decode(map, " ") == [.key(.backspace)])
        // What the section leaves out keeps its built-in meaning.
        #expect(decode(map, "1\r\u{1b}Oq") == [.key(.digit(1)), .key(.enter), .key(.digit(1))])
    }

    @Test func unboundTabAndEscapeKeepTheirConsoleMeaning() {
        #expect(decode(KeyMap.defaultTerminal, "\t\u{1b}[Z") == [.tab, .backTab])
        #expect(decode(KeyMap.defaultTerminal, "\u{1b}") == [.other])
        #expect(decode(KeyMap(bindings: ["tab": .enter]), "\t\u{1b}[Z") == [.key(.enter), .backTab])
    }
}
