import Foundation
import Testing
@testable import KioskCore

@Suite("Key map inputs the console cannot tell apart")
struct KeyMapReachTests {
    @Test func nonASCIIAndControlCharactersAreRefusedWithTheirLine() {
        let text = "[terminal]\n1 = 1\n号 = 2\né = 3\n\u{1} = 4\n\u{7f} = 5\n"
        guard case .failure(let errors) = KeyMap.parse(text, file: "keymap.conf") else { Issue.record("expected failure"); return }
        let lines = errors.errors.map(\.line)
        #expect(lines == [3, 4, 5, 6], "\(errors)")
        #expect(errors.errors.first?.description.hasPrefix("keymap.conf:3: '号' in [terminal] is not a printable ASCII character") == true)
        #expect(errors.errors.first?.description.contains("kp-enter") == true, "the message lists the names to use")
    }

    @Test func everyNameAndEveryPrintableCharacterParses() throws {
        let names = KeyMap.terminalNames.keys.sorted().map { "\($0) = 1" }
        let characters = (0x21...0x7E).map { Character(UnicodeScalar($0)!) }.filter { !"#;=[".contains($0) }.map { "\($0) = 2" }
        let maps = try KeyMap.parse((["[terminal]"] + names + characters).joined(separator: "\n"), file: "keymap.conf").get()
        #expect(maps["terminal"]?.bindings.count == names.count + characters.count)
    }
}
