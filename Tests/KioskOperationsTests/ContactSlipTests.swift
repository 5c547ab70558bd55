import Foundation
import KioskCore
import KioskPrinting
import KioskProtocol
import KioskRuntime
import Testing

/// The daemon with `ask-contact = yes` (the shipped kiosk.conf, switched on): the number typed on
/// the pad is stored apart from the event log in the events' transaction, and the slip prints
/// with the masked number only.
@Suite("Call-back number through the daemon", .serialized)
struct ContactSlipTests {
    @Test func theNumberIsKeptApartAndTheSlipShowsItMasked() throws {
        let file = makeTemporaryFolder("contact-slip") + "/lp1"
        _ = FileManager.default.createFile(atPath: file, contents: nil)
        var text = try String(contentsOfFile: assetsFolder + "/kiosk.conf", encoding: .utf8)
        #expect(text.contains("ask-contact = no\n"))
        text = text.replacingOccurrences(of: "ask-contact = no\n", with: "ask-contact = yes\n")
        text += "\n[station desk-1]\nrole = counter 1\nprinter = \(file)\n"
        let rig = try Rig(configText: text)
        rig.operations.attach(to: rig.loop, handleSignals: false)
        func press(_ keys: String, _ station: StationID) {
            for ch in keys {
                let key: Key = ch == "E" ? .enter : Key(name: String(ch))!
                rig.service.handle(.key(key, station: station, at: Date()))
            }
        }
        press("01001E1234E", .counter(1))
        press("1EE", .lobby)
        press("+EE41", .counter(1))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).isEmpty, "the slip waits for the number")
        press("13812345678E", .counter(1))

        let store = rig.service.store
        #expect(try store.pendingContacts().map(\.number) == ["13812345678"])
        let payloads = try store.events(since: 0).map { String(decoding: try KioskEvent.makeEncoder().encode($0.event), as: UTF8.self) }
        #expect(payloads.contains { $0.contains("138****5678") } && !payloads.contains { $0.contains("13812345678") })
        let elements = try decodeEscPos(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        let lines = elements.compactMap { if case .text(let s) = $0 { return s } else { return nil } }
        #expect(lines.contains("回访电话：138****5678"))
        #expect(!lines.contains { $0.contains("13812345678") })
    }
}
